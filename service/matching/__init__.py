"""The matching core: text building, embedding, indexes, fusion, explanations. No web, no DB."""
