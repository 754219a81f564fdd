"""Fixtures of the matching tests: the HS suggester built as the service builds it (shipped
nomenclature, Chinese heading texts, examples and vectors); the models come from
tests/conftest.py."""

import pytest

from service.config import DATA_DIR, MODELS_DIR
from service.matching.embedder import Embedders
from service.matching.hs import HsSuggester, build_suggester


@pytest.fixture(scope="session")
def bilingual(embedders: Embedders, tmp_path_factory: pytest.TempPathFactory) -> HsSuggester:
    """The default deployment's suggester (test_hs.py has a `suggester` of its own); tests
    that confirm examples build their own."""
    return build_suggester(
        DATA_DIR,
        embedders.primary,
        cache_dir=tmp_path_factory.mktemp("hs-bilingual"),
        shipped_vectors=MODELS_DIR / "hs-vectors",
        multilingual=embedders.multilingual,
    )
