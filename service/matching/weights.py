"""Every tunable number of matching and the one fusion of dense and lexical similarity."""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from service.matching.embedder import FloatArray


@dataclass(frozen=True, slots=True)
class Weights:
    """Every tunable number of the ranking, in one place.

    dense/lexical/example_k were measured on the HS dev split (heading task, text_rich, 5-fold
    where examples are used): a raw weighted sum of the two cosines beat per-query z-score
    fusion and reciprocal-rank fusion (see `fuse`). The hs_* numbers and `text_slope` were
    chosen on the dev splits of ../shared/eval/{hs,zh,catalog} (README, "Ranking quality").
    """

    dense: float = 0.5  # cosine of sentence embeddings, clipped to [0, 1]
    lexical: float = 0.5  # TF-IDF words + characters cosine
    examples: float = 0.3  # weight of the vote of accepted matches for a partner
    example_k: int = 10  # how many confirmed examples vote
    # HS suggester: a confirmed example votes with hs_examples x (its similarity - hs_margin x
    # the best nomenclature score of the text), so loose neighbours of a text the tariff's own
    # words describe well stay silent (HMRC dev queries 0.673 -> 0.687 NDCG@10, catalogue lines
    # classified 0.80 -> 0.89)
    hs_examples: float = 1.0
    hs_margin: float = 0.8
    # heading estimate = softmax(suggester score / hs_temperature), the hs_top most probable
    # headings from hs_floor up; a query's, made at search time and not stored, keeps its
    # hs_query_top whatever their probability (each brings its items among the candidates; on
    # the HS dev split a 0.01 floor cost 0.01 NDCG@10, keeping 5 instead of 10 another 0.01).
    # 0.04 lies between the NLL-optimal temperatures of the English (0.05, with examples) and
    # Chinese (0.03, without) routes on dev
    hs_temperature: float = 0.04
    hs_top: int = 5
    hs_query_top: int = 10
    hs_floor: float = 0.01
    hs_declared: float = 0.95  # a declared code's probability
    # item fit = (agreement + agreement_prior) x exp(text_slope x (text - 1)): the probability
    # that both texts sit under one heading, discounted by how little their words and meaning
    # say the same (dev NDCG@10 moved < 0.01 for slopes 1-4); the prior, about one chance in
    # the 1,229 headings, ranks texts without a shared heading by their text alone
    agreement_prior: float = 0.001
    text_slope: float = 2.0
    # a suggested heading stands in for a query's estimate from this probability up
    hs_confidence: float = 0.8
    # a match is weak when neither a shared heading nor its text backs it: agreement below
    # weak_agreement and text below weak_text (on the demo fair, unrelated products fuse to
    # 0.20-0.23 on boilerplate alone, "export-grade ... available")
    weak_agreement: float = 0.1
    weak_text: float = 0.25
    candidates: int = 200  # top-N from each signal (dense, lexical, headings) before grouping
    export_record: float = 0.05  # boost at >= 10 years of exporting, linear below
    verified: float = 0.03
    soft_miss: float = 0.15  # score factor lost per unmet soft requirement


def fuse(dense: FloatArray, lexical: FloatArray, weights: Weights) -> FloatArray:
    """Fused similarity of aligned arrays: w_d x clip(dense cosine, 0, 1) + w_l x lexical cosine.

    In [0, w_d + w_l] = [0, 1] with the default weights. A raw sum keeps the absolute scale that
    the explanations rely on; on the HS dev split it also ranked best (NDCG@10 0.445 vs 0.426
    for z-score and 0.435 for reciprocal-rank fusion at k=10).
    """
    return (weights.dense * np.clip(dense, 0.0, 1.0) + weights.lexical * lexical).astype(np.float32)


def fit(
    agreement: FloatArray,
    text: FloatArray,
    weights: Weights,
    *,
    bridged: bool | npt.NDArray[np.bool_],
) -> FloatArray:
    """Item fit in [0, 1]: (agreement + prior) x exp(text_slope x (text - 1)) / (1 + prior), or
    the text similarity alone where the query has no heading estimate (`bridged` False; one
    flag, or one per query row).

    Multiplying beat a weighted sum on every dev set: a heading both texts probably share
    decides, the text orders within it and among texts that share none.
    """
    text = np.clip(text, 0.0, 1.0)
    prior = weights.agreement_prior
    both = (agreement + prior) * np.exp(weights.text_slope * (text - 1.0)) / (1 + prior)
    return np.where(bridged, both, text).astype(np.float32)


def text_similarity(
    primary: FloatArray,
    multilingual: FloatArray | None,
    lexical: FloatArray,
    query_chinese: npt.NDArray[np.bool_],
    item_chinese: npt.NDArray[np.bool_],
    weights: Weights,
) -> tuple[FloatArray, FloatArray]:
    """(the dense cosine that counts, the fused text similarity) of aligned arrays.

    The primary model reads a pair only when both are English (all-MiniLM-L6-v2 sees Chinese as
    unknown tokens); any other pair is read by the multilingual model when there is one. A pair
    across the two scripts can share no n-gram, so its lexical weight moves to the dense score.
    `query_chinese` and `item_chinese` broadcast against the arrays (one query, or a matrix).
    """
    english = ~query_chinese & ~item_chinese
    dense = primary if multilingual is None else np.where(english, primary, multilingual)
    dense = np.clip(dense, 0.0, 1.0).astype(np.float32)
    across = query_chinese != item_chinese
    alone = (weights.dense + weights.lexical) * dense
    text = np.where(across, alone, fuse(dense, lexical, weights))
    return dense, text.astype(np.float32)
