"""Heading estimates, their agreement, and the language routing that feeds them: pure math."""

import numpy as np
import pytest

from service.matching.headings import agreement, declared, from_scores
from service.matching.language import detect, split_cjk
from service.matching.weights import Weights, fit


def test_language_is_detected_from_the_script() -> None:
    assert detect("Sichuan hotpot seasoning base") == "en"
    assert detect("火锅底料") == "zh"
    assert detect("智能手机 iPhone") == "zh"  # 4 characters outweigh one Latin word
    assert detect("USB-C cable 线") == "en"
    assert detect("") == "en"
    assert split_cjk("黑茶 black tea 绿茶") == ("  black tea  ", ["黑茶", "绿茶"])


def test_agreement_is_the_probability_of_a_shared_heading() -> None:
    query = (("0902", 0.6), ("2101", 0.3))
    item = (("0902", 0.5), ("0901", 0.4))
    found = agreement(query, item)
    assert found.probability == pytest.approx(0.3)
    assert found.heading == "0902" and found.share == pytest.approx(0.3)
    assert agreement(query, (("8517", 0.9),)).probability == 0.0
    assert agreement((), item).heading == ""


def test_a_declared_code_is_a_near_certain_estimate_of_its_heading() -> None:
    (heading, p), (chapter, rest) = declared("0902.10", 0.95)
    assert (heading, p, chapter) == ("0902", 0.95, "09") and rest == pytest.approx(0.05)
    assert declared("85", 0.95) == ()
    assert declared(None, 0.95) == ()
    # two declared codes of one chapter agree a little, through the chapter
    sibling = agreement(declared("210390", 0.95), declared("210690", 0.95))
    assert sibling.heading == "21" and sibling.probability == pytest.approx(0.0025)


def test_estimates_are_a_softmax_cut_to_the_most_probable_headings() -> None:
    keys = ["0901", "0902", "0903"]
    scores = np.array([[0.2, 0.3, 0.1], [0.0, 0.0, 0.0]], np.float32)
    clear, flat = from_scores(keys, scores, temperature=0.1, top=2, floor=0.01)
    z = np.exp(np.array([0.2, 0.3, 0.1]) / 0.1)
    assert [h for h, _ in clear] == ["0902", "0901"]
    assert [p for _, p in clear] == pytest.approx((z / z.sum())[[1, 0]].tolist(), abs=1e-4)
    assert [h for h, _ in flat] == ["0901", "0902"]  # a tie: the first keys
    assert [p for _, p in flat] == pytest.approx([1 / 3, 1 / 3], abs=1e-4)
    assert from_scores(keys, scores, temperature=0.1, top=3, floor=0.5)[1] == ()


def test_fit_lets_the_shared_heading_decide_and_the_text_order_within_it() -> None:
    w = Weights(agreement_prior=0.001, text_slope=2.0)
    agreed = np.array([0.9, 0.9, 0.0, 0.0], np.float32)
    text = np.array([0.8, 0.4, 1.0, 0.5], np.float32)
    scores = fit(agreed, text, w, bridged=True)
    assert scores[0] > scores[1] > scores[2] > scores[3]
    assert scores[0] == pytest.approx(0.901 * np.exp(-0.4) / 1.001, rel=1e-5)
    assert fit(agreed, text, w, bridged=False).tolist() == pytest.approx(text.tolist())
