"""Progress bars for long CLI work (embedding, imports, match lists)."""

from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from service.progress import Progress


@contextmanager
def bar(description: str) -> Iterator[Progress]:
    """A bar that follows `progress(done, total)` calls; a new total starts a new phase."""
    shown = tqdm(desc=description, unit="text", leave=True)

    def progress(done: int, total: int) -> None:
        if shown.total != total:  # a new phase of the job (e.g. needs after enterprises)
            shown.reset(total=total)
        shown.n = done
        shown.refresh()

    try:
        yield progress
    finally:
        shown.close()
