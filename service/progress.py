"""How long work reports how far it got: `progress(done, total)`, shown as a bar by the CLI and
as a job's status by the API."""

from collections.abc import Callable

Progress = Callable[[int, int], None]
