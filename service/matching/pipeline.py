"""The steps every caller of matching runs the same way: the service's writes and searches,
`matchfair eval` and the benchmarks.

- write: `embed` the items' texts with every model, then `estimate` the HS headings of goods
  without a declared code (before the transaction that stores them);
- search: `text_query` turns a free text into a Query: its vectors (the multilingual one only
  when a Chinese text or the other language's items need it), and its heading estimate.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from service.matching.candidates import Query
from service.matching.catalog import Catalog
from service.matching.embedder import Embedders, FloatArray, Vectors, beside
from service.matching.hs import HsSuggester
from service.matching.items import GOODS, ItemDraft, Side
from service.matching.language import detect
from service.matching.weights import Weights

Progress = Callable[[int, int], None]
CHUNK = 256  # texts per progress step


def catalog_for(embedders: Embedders, weights: Weights | None = None) -> Catalog:
    """An in-memory catalog with room for every vector the models make."""
    second = embedders.multilingual
    return Catalog(
        embedders.primary.dimension,
        multilingual=None if second is None else second.dimension,
        weights=weights,
    )


def embed(embedders: Embedders, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
    """Every model's vectors of `texts`, in chunks, reporting (done, total) after each."""
    primary = [np.zeros((0, embedders.primary.dimension), np.float32)]
    second: list[FloatArray] = []
    for start in range(0, len(texts), CHUNK):
        part = embedders.encode(texts[start : start + CHUNK])
        primary.append(part.primary)
        if part.multilingual is not None:
            second.append(part.multilingual)
        if progress:
            progress(min(start + CHUNK, len(texts)), len(texts))
    multilingual = None
    if embedders.multilingual is not None:
        empty = np.zeros((0, embedders.multilingual.dimension), np.float32)
        multilingual = np.concatenate([empty, *second])
    return Vectors(np.concatenate(primary), multilingual)


def estimate(
    drafts: Sequence[ItemDraft], vectors: Vectors, suggester: HsSuggester | None
) -> list[ItemDraft]:
    """The drafts, goods without a declared HS code carrying their heading estimate."""
    rows = [i for i, d in enumerate(drafts) if d.kind in GOODS and not d.hs_code]
    if suggester is None or not rows:
        return list(drafts)
    found = suggester.estimate_many([drafts[i].text for i in rows], vectors.take(rows))
    out = list(drafts)
    for i, headings in zip(rows, found, strict=True):
        out[i] = replace(out[i], headings=headings)
    return out


def text_query(
    text: str,
    side: Side,
    embedders: Embedders,
    suggester: HsSuggester | None,
    catalog: Catalog,
    *,
    label: str | None = None,
) -> Query:
    """A free text looking for partners on `side`: embedded, and classified into headings.

    The multilingual vector is computed only when it is read: for a Chinese text, or when the
    side holds Chinese items (an English query then meets them by meaning). The heading
    estimate is computed beside the caller, which meanwhile gathers the candidates that do not
    depend on it (`candidates.gather` asks for it last).
    """
    chinese = detect(text) == "zh"
    vectors = embedders.encode([text], multilingual=chinese or catalog.has_chinese(side))
    second = vectors.multilingual
    return Query(
        vectors.primary[0],
        text,
        text if label is None else label,
        hs_suggested=suggester is not None,
        headings=() if suggester is None else beside(suggester.estimate, text, vectors, query=True),
        multilingual=None if second is None else second[0],
    )
