"""The real model with a probe run before each call: what a test needs to see or to hold while
a request embeds (never a fake: the vectors are the model's own)."""

from collections.abc import Sequence

from service.matching.embedder import Embedder, FloatArray


class ModelProbe:
    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.identity, self.dimension = inner.identity, inner.dimension

    def before(self, texts: Sequence[str]) -> None:
        """What to do before the model embeds `texts`."""

    def encode(self, texts: Sequence[str]) -> FloatArray:
        self.before(texts)
        return self.inner.encode(texts)
