"""HS 2022 nomenclature and the HS code suggester (hybrid retrieval + confirmed-example votes).

Headings are indexed as "chapter | heading | subheading | ..." (the eval corpus's text_rich),
subheadings as "chapter | heading | subheading". A confirmed example votes for its heading at
the heading level and for its subheading (when it has one) at the subheading level.
"""

import csv
import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from service.matching.embedder import Embedder, FloatArray
from service.matching.examples import Example, ExampleMemory, Neighbour, rank_targets
from service.matching.retrieval import HybridRetriever, passages, top
from service.matching.weights import Weights

Level = Literal["heading", "subheading"]
DIGITS: dict[Level, int] = {"heading": 4, "subheading": 6}


@dataclass(frozen=True, slots=True)
class HsEntry:
    code: str  # 2 (chapter), 4 (heading) or 6 (subheading) digits
    description: str
    parent: str  # "" for chapters
    section: str  # Roman numeral


@dataclass(frozen=True, slots=True)
class Nomenclature:
    entries: dict[str, HsEntry]
    sections: dict[str, str]  # numeral -> name

    def level(self, digits: int) -> list[HsEntry]:
        return [e for e in self.entries.values() if len(e.code) == digits]

    def children(self) -> dict[str, list[str]]:
        kids: dict[str, list[str]] = defaultdict(list)
        for e in self.entries.values():
            if e.parent:
                kids[e.parent].append(e.code)
        return kids

    def rich_text(self, code: str) -> str:
        """The words a trader may use for a code: "chapter | heading | its subheadings" for a
        heading, "chapter | heading | subheading" for a subheading."""
        d = self.entries
        if len(code) == 4:
            subs = [d[k].description for k in self.children().get(code, [])]
            return " | ".join([d[code[:2]].description, d[code].description, *subs])
        return " | ".join([d[code[:2]].description, d[code[:4]].description, d[code].description])


def load_nomenclature(folder: Path) -> Nomenclature:
    """Read `hs_harmonized-system.csv` and `hs_sections.csv` (datasets/harmonized-system)."""
    entries: dict[str, HsEntry] = {}
    with (folder / "hs_harmonized-system.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            code = row["hscode"]
            if code.isdigit() and len(code) in (2, 4, 6):
                parent = row["parent"] if row["parent"].isdigit() else ""
                entries[code] = HsEntry(code, row["description"], parent, row["section"])
    with (folder / "hs_sections.csv").open(encoding="utf-8-sig", newline="") as f:
        sections = {row["section"]: row["name"] for row in csv.DictReader(f)}
    return Nomenclature(entries, sections)


@dataclass(frozen=True, slots=True)
class HsSuggestion:
    """One suggested code. score = fused + w_examples x examples; dense/lexical in [0, 1];
    examples = summed similarity of the confirmed examples voting for it (`similar`)."""

    code: str
    description: str
    score: float
    dense: float
    lexical: float
    examples: float
    similar: tuple[Neighbour, ...]


class VectorCache:
    """Embeds texts once per model: rows kept as float16 .npy files named by the model's
    identity and a digest of the texts, so a changed model or text list is re-embedded.

    `shipped` is a read-only folder of such files made for the default model (models/hs-vectors),
    so a fresh install answers at once; `folder` is where other models' vectors are written.
    float16 keeps cosines within ~1e-3 at half the size.
    """

    def __init__(
        self, embedder: Embedder, folder: Path | None, shipped: Path | None = None
    ) -> None:
        self.embedder = embedder
        self.folder = folder
        self.shipped = shipped

    def encode(self, texts: Sequence[str]) -> FloatArray:
        digest = hashlib.sha256("\n".join([self.embedder.identity, *texts]).encode()).hexdigest()
        name = f"vectors-{digest[:20]}.npy"
        for folder in (self.shipped, self.folder):
            if folder is not None and (folder / name).exists():
                stored: FloatArray = np.load(folder / name).astype(np.float32)
                return stored
        vectors = self.embedder.encode(texts)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            np.save(self.folder / name, vectors.astype(np.float16))
        return vectors


class HsSuggester:
    """Suggests HS headings or subheadings for a product or need text; learns confirmations.

    The index of a level is built on first use (embedding ~7k texts for headings), so a service
    that never asks for subheadings never pays for them.
    """

    def __init__(
        self,
        nomenclature: Nomenclature,
        embedder: Embedder,
        memory: ExampleMemory,
        *,
        cache: VectorCache | None = None,
    ) -> None:
        self.nomenclature = nomenclature
        self.embedder = embedder
        self.memory = memory
        self.weights = memory.weights
        self._cache = cache or VectorCache(embedder, None)
        self._levels: dict[Level, HybridRetriever] = {}
        self._lock = threading.Lock()

    def retriever(self, level: Level) -> HybridRetriever:
        with self._lock:
            if level not in self._levels:
                self._levels[level] = self._build(DIGITS[level])
            return self._levels[level]

    def _build(self, digits: int) -> HybridRetriever:
        codes = [e.code for e in self.nomenclature.level(digits)]
        texts = [self.nomenclature.rich_text(code) for code in codes]
        parts = [passages(text) for text in texts]
        owners = [row for row, ps in enumerate(parts) for _ in ps]
        vectors = self._cache.encode([p for ps in parts for p in ps])
        return HybridRetriever(self.weights).fit(codes, texts, vectors, owners)

    def suggest(
        self,
        text: str,
        *,
        level: Level = "heading",
        limit: int = 5,
        vector: FloatArray | None = None,
    ) -> list[HsSuggestion]:
        """The `limit` best codes of `level` for one text, best first (`vector`: its embedding,
        when the caller has it already)."""
        vectors = None if vector is None else vector[None, :]
        return self.suggest_many([text], level=level, limit=limit, vectors=vectors)[0]

    def suggest_many(
        self,
        texts: Sequence[str],
        *,
        level: Level = "heading",
        limit: int = 5,
        vectors: FloatArray | None = None,
    ) -> list[list[HsSuggestion]]:
        retriever = self.retriever(level)
        digits = DIGITS[level]
        if vectors is None:
            vectors = self.embedder.encode(texts)
        with self._lock:  # votes read the memory that `confirm` appends to
            ranked = rank_targets(
                retriever,
                self.memory,
                texts,
                vectors,
                lambda target: target[:digits] if len(target) >= digits else None,
            )
        out = []
        for i, best in enumerate(top(ranked.final, limit)):
            row = []
            for j in best.tolist():
                code = retriever.keys[j]
                row.append(
                    HsSuggestion(
                        code,
                        self.nomenclature.entries[code].description,
                        float(ranked.final[i, j]),
                        float(ranked.scores.dense[i, j]),
                        float(ranked.scores.lexical[i, j]),
                        float(ranked.vote[i, j]),
                        ranked.votes[i].voters.get(code, ()),
                    )
                )
            out.append(row)
        return out

    def confident_heading(self, text: str, vector: FloatArray | None = None) -> str | None:
        """The top heading when its score reaches `Weights.hs_confidence`, else None: the hook
        that lets a need or product line without a declared code earn the HS-heading credit."""
        best = self.suggest(text, level="heading", limit=1, vector=vector)
        return best[0].code if best and best[0].score >= self.weights.hs_confidence else None

    def known_code(self, code: str) -> str:
        """The heading or subheading a code names ("8712.00" -> "871200"; national 8/10-digit
        extensions are cut to 6); ValueError when HS 2022 has no such heading or subheading."""
        digits = code.replace(".", "").replace(" ", "")[:6]
        if len(digits) < 4 or digits not in self.nomenclature.entries:
            raise ValueError(f"{code} is not an HS 2022 heading or subheading")
        return digits

    def confirm(self, text: str, code: str, *, weight: float = 1.0, group: str = "") -> Example:
        """Take a confirmed classification online: it votes from the next query on (`weight`
        and `group`: how far its source is trusted, see service/matching/trust.py)."""
        example = Example(text, self.known_code(code), weight, group)
        vectors = self.embedder.encode([text])
        with self._lock:
            self.memory.add([example], vectors)
        return example


def build_suggester(
    data_dir: Path,
    embedder: Embedder,
    confirmed: Sequence[Example] = (),
    *,
    weights: Weights | None = None,
    cache_dir: Path | None = None,
    shipped_vectors: Path | None = None,
) -> HsSuggester:
    """The suggester from shipped reference data: `data_dir/hs/` (nomenclature) and
    `data_dir/examples/hs_dev_examples.jsonl` (initial memory), plus stored confirmations."""
    cache = VectorCache(embedder, cache_dir, shipped_vectors)
    shipped = load_examples(data_dir / "examples" / "hs_dev_examples.jsonl")
    memory = ExampleMemory(weights).fit(shipped, cache.encode([e.text for e in shipped]))
    if confirmed:
        memory.add(confirmed, embedder.encode([e.text for e in confirmed]))
    return HsSuggester(load_nomenclature(data_dir / "hs"), embedder, memory, cache=cache)


def load_examples(path: Path) -> list[Example]:
    """JSON lines {"text", "code"}: a confirmed text and its most specific HS code."""

    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [Example(row["text"], row["code"]) for row in rows]
