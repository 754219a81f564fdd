"""The HS code suggester: English and Chinese texts classified into headings or subheadings.

A text is routed by its language (`language.detect`):
- English: the primary model and TF-IDF against the English nomenclature, "chapter | heading |
  subheading | ..." (the eval corpus's text_rich), one dense vector per passage;
- Chinese: the multilingual model against both the Chinese heading texts and the English ones
  (dense: the mean of the two), TF-IDF character n-grams against the Chinese texts (zh dev
  names -> headings: NDCG@10 0.77, against 0.52 for the multilingual model alone).
Confirmed examples of the text's language vote on top (see `Weights.hs_margin`); the scores
become a heading estimate through a calibrated softmax (`estimate`).
"""

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from service.matching.embedder import Embedder, FloatArray, Vectors
from service.matching.examples import Example, ExampleMemory, Neighbour, Votes, vote_matrix
from service.matching.headings import Estimate, from_scores
from service.matching.language import Language, detect
from service.matching.nomenclature import Nomenclature, load_nomenclature
from service.matching.retrieval import HybridRetriever, IntArray, Scores, passages, top
from service.matching.vector_cache import VectorCache
from service.matching.weights import Weights, fuse

Level = Literal["heading", "subheading"]
DIGITS: dict[Level, int] = {"heading": 4, "subheading": 6}


@dataclass(frozen=True, slots=True)
class HsSuggestion:
    """One suggested code. score = fused + hs_examples x examples; dense/lexical in [0, 1];
    examples = the margin vote of the confirmed examples voting for it (`similar`);
    probability = its share of the calibrated softmax over every code of the level."""

    code: str
    description: str
    score: float
    dense: float
    lexical: float
    examples: float
    similar: tuple[Neighbour, ...]
    probability: float = 0.0
    language: Language = "en"  # the route that scored it


@dataclass(frozen=True, slots=True)
class Ranked:
    """Codes of one level scored for a batch of texts (columns in the level's key order)."""

    keys: list[str]
    scores: Scores
    votes: list[Votes]
    vote: FloatArray
    final: FloatArray  # fused + hs_examples x vote
    languages: list[Language]


class HsSuggester:
    """Suggests and estimates HS headings or subheadings for product or need texts, in English
    or Chinese; learns confirmations. Each index is built on first use, so a service that never
    asks for subheadings (or never sees Chinese) never pays for them.

    `memory` holds the English confirmed examples (primary vectors); `memories["zh"]` the
    Chinese ones (multilingual vectors). `multilingual` None leaves Chinese text to TF-IDF.
    """

    def __init__(
        self,
        nomenclature: Nomenclature,
        embedder: Embedder,
        memory: ExampleMemory,
        *,
        cache: VectorCache | None = None,
        multilingual: Embedder | None = None,
        multilingual_cache: VectorCache | None = None,
    ) -> None:
        self.nomenclature = nomenclature
        self.embedder = embedder
        self.multilingual = multilingual
        self.memories: dict[Language, ExampleMemory] = {
            "en": memory,
            "zh": ExampleMemory(memory.weights),
        }
        self.weights = memory.weights
        self._caches: dict[Language, VectorCache] = {"en": cache or VectorCache(embedder, None)}
        if multilingual is not None:
            self._caches["zh"] = multilingual_cache or VectorCache(multilingual, None)
        # vectors of the example texts met so far, per route: `remember` re-embeds none of them
        self._example_vectors: dict[Language, dict[str, FloatArray]] = {"en": {}, "zh": {}}
        self._indexes: dict[tuple[str, int], HybridRetriever] = {}
        self._columns: dict[Level, IntArray] = {}
        self._lock = threading.Lock()

    @property
    def memory(self) -> ExampleMemory:
        """The English confirmed examples."""
        return self.memories["en"]

    def _index(
        self, name: str, digits: int, build: Callable[[], HybridRetriever]
    ) -> HybridRetriever:
        with self._lock:
            if (name, digits) not in self._indexes:
                self._indexes[(name, digits)] = build()
            return self._indexes[(name, digits)]

    def retriever(self, level: Level) -> HybridRetriever:
        """The English index of a level (primary model, English texts)."""
        digits = DIGITS[level]
        return self._index("en", digits, lambda: self._english(digits, self._caches["en"]))

    def _english(self, digits: int, cache: VectorCache) -> HybridRetriever:
        codes = [e.code for e in self.nomenclature.level(digits)]
        return self._fit(codes, [self.nomenclature.rich_text(c) for c in codes], cache)

    def _fit(self, keys: list[str], texts: list[str], cache: VectorCache | None) -> HybridRetriever:
        """An index of texts, one vector per passage (`cache` None: lexical only)."""
        parts = [passages(text) for text in texts]
        owners = [row for row, ps in enumerate(parts) for _ in ps]
        flat = [p for ps in parts for p in ps]
        vectors = np.zeros((len(flat), 1), np.float32) if cache is None else cache.encode(flat)
        return HybridRetriever(self.weights).fit(keys, texts, vectors, owners)

    def _chinese_scores(self, level: Level, texts: Sequence[str], vectors: FloatArray) -> Scores:
        """Chinese texts against a level: dense = mean of the multilingual cosines with the
        Chinese heading text (a subheading takes its heading's) and with the English text;
        lexical = TF-IDF against the Chinese heading text."""
        digits = DIGITS[level]
        zh_codes = sorted(self.nomenclature.chinese)
        zh_texts = [self.nomenclature.chinese[c] for c in zh_codes]
        cache = self._caches.get("zh")
        chinese = self._index("zh", 4, lambda: self._fit(zh_codes, zh_texts, cache))
        column = self._chinese_column(level, chinese)
        has = column >= 0
        lexical = np.where(has, chinese.lexical_scores(texts)[:, column], 0.0)
        dense = np.zeros_like(lexical)
        if cache is not None:
            english = self._index("en-multi", digits, lambda: self._english(digits, cache))
            across = english.dense_scores(vectors)
            dense = np.where(has, (chinese.dense_scores(vectors)[:, column] + across) / 2, across)
        dense, lexical = dense.astype(np.float32), lexical.astype(np.float32)
        return Scores(dense, lexical, fuse(dense, lexical, self.weights))

    def _chinese_column(self, level: Level, chinese: HybridRetriever) -> IntArray:
        """For each code of `level`, the row of its heading's Chinese text (-1: none)."""
        with self._lock:
            if level not in self._columns:
                keys = self._indexes[("en", DIGITS[level])].keys
                found = [chinese.column.get(k[:4], -1) for k in keys]
                self._columns[level] = np.array(found, np.int64)
            return self._columns[level]

    def rank(self, texts: Sequence[str], level: Level, vectors: Vectors | None = None) -> Ranked:
        """Every code of `level` scored for each text by its language's route; `vectors` are
        the texts' embeddings when the caller has them (missing ones are computed)."""
        digits = DIGITS[level]
        keys = self.retriever(level).keys
        languages = [detect(t) for t in texts]
        n, m = len(texts), len(keys)
        dense, lexical, vote = (np.zeros((n, m), np.float32) for _ in range(3))
        votes = [Votes({}, {}) for _ in texts]
        for language in ("en", "zh"):
            rows = [i for i, lang in enumerate(languages) if lang == language]
            if not rows:
                continue
            part = [texts[i] for i in rows]
            given = None if vectors is None else self._route(language, vectors)
            embedded = self.embed(language, part) if given is None else given[rows]
            if language == "en":
                scores = self.retriever(level).score(part, embedded)
            else:
                scores = self._chinese_scores(level, part, embedded)
            with self._lock:  # votes read the memory that `confirm` appends to
                found = self.memories[language].votes(
                    part,
                    embedded,
                    lambda target: target[:digits] if len(target) >= digits else None,
                    self.weights.hs_margin * scores.fused.max(axis=1),
                )
            dense[rows], lexical[rows] = scores.dense, scores.lexical
            vote[rows] = vote_matrix(found, self.retriever(level).column)
            for i, row_votes in zip(rows, found, strict=True):
                votes[i] = row_votes
        fused = fuse(dense, lexical, self.weights)
        final = fused + self.weights.hs_examples * vote
        return Ranked(keys, Scores(dense, lexical, fused), votes, vote, final, languages)

    def _model(self, language: Language) -> Embedder:
        """The model of a language's route: the primary one for English, the multilingual one
        for Chinese (the primary one when there is none)."""
        if language == "zh" and self.multilingual is not None:
            return self.multilingual
        return self.embedder

    def embed(self, language: Language, texts: Sequence[str]) -> FloatArray:
        return self._model(language).encode(texts)

    def _route(self, language: Language, vectors: Vectors) -> FloatArray | None:
        """The rows of `vectors` made by the route's model (None: the caller has none)."""
        if self._model(language) is self.embedder:
            return vectors.primary
        return vectors.multilingual

    def suggest(
        self,
        text: str,
        *,
        level: Level = "heading",
        limit: int = 5,
        vector: FloatArray | None = None,
    ) -> list[HsSuggestion]:
        """The `limit` best codes of `level` for one text, best first (`vector`: its primary
        embedding, when the caller has it already)."""
        vectors = None if vector is None else Vectors(vector[None, :])
        return self.suggest_many([text], level=level, limit=limit, vectors=vectors)[0]

    def suggest_many(
        self,
        texts: Sequence[str],
        *,
        level: Level = "heading",
        limit: int = 5,
        vectors: Vectors | None = None,
    ) -> list[list[HsSuggestion]]:
        ranked = self.rank(texts, level, vectors)
        probability = _softmax(ranked.final, self.weights.hs_temperature)
        out = []
        for i, best in enumerate(top(ranked.final, limit)):
            row = []
            for j in best.tolist():
                code = ranked.keys[j]
                row.append(
                    HsSuggestion(
                        code,
                        self.nomenclature.entries[code].description,
                        float(ranked.final[i, j]),
                        float(ranked.scores.dense[i, j]),
                        float(ranked.scores.lexical[i, j]),
                        float(ranked.vote[i, j]),
                        ranked.votes[i].voters.get(code, ()),
                        float(probability[i, j]),
                        ranked.languages[i],
                    )
                )
            out.append(row)
        return out

    def estimate_many(
        self, texts: Sequence[str], vectors: Vectors | None = None, *, query: bool = False
    ) -> list[Estimate]:
        """Heading estimates of texts without a declared code (items at write time, queries
        at search time): softmax(score / hs_temperature), the hs_top (a query: hs_query_top)
        most probable headings."""
        if not texts:
            return []
        w = self.weights
        ranked = self.rank(texts, "heading", vectors)
        return from_scores(
            ranked.keys,
            ranked.final,
            temperature=w.hs_temperature,
            top=w.hs_query_top if query else w.hs_top,
            floor=0.0 if query else w.hs_floor,
        )

    def estimate(
        self, text: str, vectors: Vectors | None = None, *, query: bool = False
    ) -> Estimate:
        return self.estimate_many([text], vectors, query=query)[0]

    def confident_heading(self, text: str, vector: FloatArray | None = None) -> str | None:
        """The most probable heading when its probability reaches `Weights.hs_confidence`."""
        vectors = None if vector is None else Vectors(vector[None, :])
        best = self.estimate(text, vectors)
        return best[0][0] if best and best[0][1] >= self.weights.hs_confidence else None

    def known_code(self, code: str) -> str:
        """The heading or subheading a code names ("8712.00" -> "871200"; national 8/10-digit
        extensions are cut to 6); ValueError when HS 2022 has no such heading or subheading."""
        digits = code.replace(".", "").replace(" ", "")[:6]
        if len(digits) < 4 or digits not in self.nomenclature.entries:
            raise ValueError(f"{code} is not an HS 2022 heading or subheading")
        return digits

    def remember(self, examples: Sequence[Example]) -> None:
        """Replace every confirmed example by `examples`, each in the memory of its language
        (an evaluation's folds)."""
        memories: dict[Language, ExampleMemory] = {}
        for language in self.memories:
            mine = [e for e in examples if detect(e.text) == language]
            vectors = self.example_vectors(language, [e.text for e in mine])
            memories[language] = ExampleMemory(self.weights).fit(mine, vectors)
        with self._lock:
            self.memories = memories

    def example_vectors(
        self, language: Language, texts: Sequence[str], known: FloatArray | None = None
    ) -> FloatArray:
        """The route's vectors of example texts (`known`: their rows, computed already),
        each text embedded once in the suggester's life."""
        seen = self._example_vectors[language]
        if known is not None:
            seen.update(zip(texts, known, strict=True))
        missing = list(dict.fromkeys(t for t in texts if t not in seen))
        if missing:
            seen.update(zip(missing, self.embed(language, missing), strict=True))
        if not texts:
            return np.zeros((0, self._model(language).dimension), np.float32)
        return np.stack([seen[t] for t in texts])

    def confirm(self, text: str, code: str, *, weight: float = 1.0, group: str = "") -> Example:
        """Take a confirmed classification online: it votes from the next query on, for texts
        of its language (`weight` and `group`: how far its source is trusted, see
        service/matching/trust.py)."""
        example = Example(text, self.known_code(code), weight, group)
        language = detect(text)
        vectors = self.embed(language, [text])
        with self._lock:
            self.memories[language].add([example], vectors)
        return example


def _softmax(scores: FloatArray, temperature: float) -> FloatArray:
    z = np.exp((scores - scores.max(axis=1, keepdims=True)) / temperature)
    out: FloatArray = (z / z.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


# confirmed classifications shipped with the product (data/examples/README): HMRC's English
# goods texts, China Customs' Chinese commodity names (dev splits only)
SHIPPED_EXAMPLES = ("hs_dev_examples.jsonl", "hs_zh_dev_examples.jsonl")


def build_suggester(
    data_dir: Path,
    embedder: Embedder,
    confirmed: Sequence[Example] = (),
    *,
    weights: Weights | None = None,
    cache_dir: Path | None = None,
    shipped_vectors: Path | None = None,
    multilingual: Embedder | None = None,
) -> HsSuggester:
    """The suggester from shipped reference data: `data_dir/hs/` (nomenclature, Chinese heading
    texts) and `data_dir/examples/` (`SHIPPED_EXAMPLES`), plus stored confirmations; each
    example goes to the memory of its language."""
    cache = VectorCache(embedder, cache_dir, shipped_vectors)
    second = None if multilingual is None else VectorCache(multilingual, cache_dir, shipped_vectors)
    suggester = HsSuggester(
        load_nomenclature(data_dir / "hs"),
        embedder,
        ExampleMemory(weights),
        cache=cache,
        multilingual=multilingual,
        multilingual_cache=second,
    )
    shipped = [e for name in SHIPPED_EXAMPLES for e in load_examples(data_dir / "examples" / name)]
    for language, memory in suggester.memories.items():
        mine = [e for e in shipped if detect(e.text) == language]
        # the route's model, through the cache: the shipped examples' vectors ship too
        route = second if language == "zh" and second is not None else cache
        texts = [e.text for e in mine]
        memory.fit(mine, suggester.example_vectors(language, texts, route.encode(texts)))
        if extra := [e for e in confirmed if detect(e.text) == language]:
            memory.add(extra, suggester.embed(language, [e.text for e in extra]))
    return suggester


def load_examples(path: Path) -> list[Example]:
    """JSON lines {"text", "code"}: a confirmed text and its most specific HS code."""
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [Example(row["text"], row["code"]) for row in rows]
