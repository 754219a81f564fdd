"""The multilingual vectors of one side: every item's (a Chinese query reads them all), and the
Chinese items' again in an index of their own (an English query reads only those with this
model; its English pairs are the primary model's), so neither query filters the other's rows
out of a shared index."""

from collections.abc import Sequence
from typing import Self

from service.matching.ann import HnswIndex
from service.matching.embedder import FloatArray
from service.matching.index import Admit, BoolArray, KeyArray


class MultilingualIndex:
    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.every = HnswIndex(dimension)
        self.chinese = HnswIndex(dimension)

    def fit(self, keys: Sequence[int], vectors: FloatArray, chinese: BoolArray) -> Self:
        self.every.fit(keys, vectors)
        self.chinese.fit(_keys(keys, chinese), vectors[chinese])
        return self

    def add(self, keys: Sequence[int], vectors: FloatArray, chinese: BoolArray) -> None:
        """Insert or replace rows; a replaced row that is no longer Chinese leaves that index."""
        self.every.add(keys, vectors)
        self.chinese.remove(_keys(keys, ~chinese))
        if chinese.any():
            self.chinese.add(_keys(keys, chinese), vectors[chinese])

    def remove(self, keys: Sequence[int]) -> None:
        self.every.remove(keys)
        self.chinese.remove(keys)

    def vector(self, key: int) -> FloatArray:
        return self.every.vector(key)

    def cosines(
        self, query: FloatArray, keys: KeyArray, *, chinese_only: bool = False
    ) -> FloatArray:
        """The cosine with each key's item, or with the Chinese items' only (0 for the others,
        which an English query reads with the primary model): the index its `top` read."""
        return (self.chinese if chinese_only else self.every).cosines(query, keys)

    def top(
        self, query: FloatArray, k: int, admit: Admit | None = None, *, chinese_only: bool = False
    ) -> tuple[KeyArray, FloatArray]:
        """The k best rows among every item's, or among the Chinese items' only."""
        return (self.chinese if chinese_only else self.every).top(query, k, admit)


def _keys(keys: Sequence[int], mask: BoolArray) -> list[int]:
    return [k for k, keep in zip(keys, mask.tolist(), strict=True) if keep]
