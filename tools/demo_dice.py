"""Seeded dice and number formatting shared by the demo generator and its Chinese writer."""

import random
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Dice:
    """Seeded picks, leaner than random.Random's checked ones; generation is mostly dice.

    Every method draws a fixed number of values whatever the items are, so swapping the words
    of a list never shifts the rest of the stream."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed).random

    def chance(self, p: float) -> bool:
        return self._random() < p

    def between(self, lo: int, hi: int) -> int:
        return lo + int(self._random() * (hi - lo + 1))

    def uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self._random()

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self._random() * len(items))]

    def some(self, items: Sequence[T], k: int) -> list[T]:
        """k distinct items in random order (a partial Fisher-Yates shuffle)."""
        pool = list(items)
        for i in range(k):
            j = i + int(self._random() * (len(pool) - i))
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


class Deck(Generic[T]):
    """Deals items in freshly shuffled rounds, so every item keeps its share at any size."""

    def __init__(self, rng: Dice, items: Sequence[T]) -> None:
        self._rng = rng
        self._items = list(items)
        self._hand: list[T] = []

    def deal(self) -> T:
        if not self._hand:
            self._hand = self._rng.some(self._items, len(self._items))
        return self._hand.pop()


def nice(x: float) -> int:
    """Round to two significant digits so quantities look quoted, not computed."""
    if x < 100:
        return max(1, round(x))
    magnitude: int = 10 ** (len(str(int(x))) - 2)
    return round(x / magnitude) * magnitude


def money(x: float) -> float:
    return round(x, 2) if x < 100 else float(round(x))


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
