"""The HS suggester on a few real chapters of the shipped nomenclature, with the real model."""

from pathlib import Path

import numpy as np
import pytest

from service.config import MODELS_DIR
from service.matching.embedder import Embedder, Embedders
from service.matching.examples import Example, ExampleMemory
from service.matching.explain import hs_reason
from service.matching.hs import HsSuggester, build_suggester
from service.matching.nomenclature import Nomenclature, load_nomenclature
from service.matching.retrieval import HybridRetriever, passages
from service.matching.vector_cache import VectorCache

DATA = Path(__file__).resolve().parents[2] / "data"
# garments, cosmetics, cycles, sauces, paper: enough neighbours to make the choice real
CHAPTERS = {"21", "33", "48", "61", "62", "87"}


@pytest.fixture(scope="module")
def nomenclature() -> Nomenclature:
    return load_nomenclature(DATA / "hs")


@pytest.fixture()
def suggester(
    nomenclature: Nomenclature,
    embedder: Embedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> HsSuggester:
    """A fresh memory per test; the chapters' vectors are embedded once per session."""
    few = {c: e for c, e in nomenclature.entries.items() if c[:2] in CHAPTERS}
    examples = [Example("elauder dble wr stay in place", "330499")]
    memory = ExampleMemory().fit(examples, embedder.encode([e.text for e in examples]))
    cache = VectorCache(embedder, tmp_path_factory.getbasetemp() / "hs-vectors")
    return HsSuggester(Nomenclature(few, nomenclature.sections), embedder, memory, cache=cache)


def test_shipped_nomenclature_has_every_hs_2022_level(nomenclature: Nomenclature) -> None:
    assert len(nomenclature.level(2)) == 97
    assert len(nomenclature.level(4)) == 1229
    assert len(nomenclature.level(6)) == 5613
    assert nomenclature.entries["2103"].parent == "21"
    assert nomenclature.rich_text("0101").startswith("Animals; live | Horses, asses, mules")


def test_knitted_leggings_get_the_knitted_womens_garment_heading_in_the_top_five(
    suggester: HsSuggester,
) -> None:
    codes = [s.code for s in suggester.suggest("women's knitted cotton leggings", limit=5)]
    assert "6104" in codes


def test_subheading_level_suggests_six_digit_codes_under_the_right_heading(
    suggester: HsSuggester,
) -> None:
    best = suggester.suggest("worcestershire sauce", level="subheading", limit=3)
    assert all(len(s.code) == 6 for s in best)
    assert best[0].code.startswith("2103")


def test_a_confirmed_example_names_itself_and_wins_for_cryptic_text(
    suggester: HsSuggester,
) -> None:
    top = suggester.suggest("elauder dble wr stay in place foundation", limit=1)[0]
    assert top.code == "3304"
    assert top.examples > 0
    assert [n.example.text for n in top.similar] == ["elauder dble wr stay in place"]


def test_confirmation_is_used_from_the_next_query_on(suggester: HsSuggester) -> None:
    text = "zq-77 frame kit"
    assert suggester.suggest(text, limit=1)[0].code != "8712"
    suggester.confirm("zq-77 frame kit, blue", "8712.00")
    assert suggester.suggest(text, limit=1)[0].code == "8712"


def test_confirming_an_unknown_code_is_refused(suggester: HsSuggester) -> None:
    with pytest.raises(ValueError, match="9999"):
        suggester.confirm("something", "9999")


def test_dense_score_of_a_document_is_its_best_passage() -> None:
    text = "Chapter | Heading | Sub A | Sub B"
    assert passages(text) == [text, "Heading", "Sub A", "Sub B"]
    vectors = np.eye(3, dtype=np.float32)[[0, 1, 2, 2]]  # doc 0: passages 0, 1; doc 1: 2, 2
    retriever = HybridRetriever().fit(["x", "y"], ["alpha", "beta"], vectors, owners=[0, 0, 1, 1])
    query = np.array([[0.0, 0.8, 0.6]], np.float32)
    assert retriever.dense_scores(query)[0].tolist() == pytest.approx([0.8, 0.6])


def test_chinese_heading_texts_ship_for_the_headings_hs_2017_also_had(
    nomenclature: Nomenclature,
) -> None:
    assert len(nomenclature.chinese) == 1220
    assert nomenclature.chinese["0902"].startswith("咖啡、茶、马黛茶及香料 | 茶叶")


def test_chinese_text_is_classified_and_explained_like_english(bilingual: HsSuggester) -> None:
    best = bilingual.suggest("智能手机", limit=3)
    assert best[0].code == "8517" and best[0].language == "zh"
    assert best[0].probability > 0.5
    reason = hs_reason("智能手机", best[0], bilingual.nomenclature.chinese["8517"])
    assert reason.startswith("HS 8517 “Telephone sets")
    assert "similar confirmed example(s): “智能手机”" in reason


def test_chinese_confirmations_teach_the_chinese_route(
    embedders: Embedders, tmp_path_factory: pytest.TempPathFactory
) -> None:
    own = build_suggester(
        DATA,
        embedders.primary,
        cache_dir=tmp_path_factory.mktemp("hs-own"),
        shipped_vectors=MODELS_DIR / "hs-vectors",
        multilingual=embedders.multilingual,
    )
    own.remember([])  # no shipped example: only what is confirmed here counts
    text = "山城老渝 CQ-88"  # a brand and a model: nothing says what it is
    assert own.suggest(text, limit=1)[0].code != "2103"
    own.confirm("山城老渝 CQ-88 牛油火锅底料", "2103.90")
    top = own.suggest(text, limit=1)[0]
    assert top.code == "2103" and top.similar[0].example.text == "山城老渝 CQ-88 牛油火锅底料"
    # an English text asks the English memory, which this confirmation did not join
    assert own.suggest("CQ-88 hotpot base", limit=1)[0].examples == 0
