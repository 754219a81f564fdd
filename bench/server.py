"""`matchfair serve` in a process of its own on a free loopback port: for the benchmarks and for
the tests that kill it (-9) in the middle of a write.

The server runs the `matchfair` command's own function (`matchfair serve --port N`) with its own
database URL and settings from MATCHFAIR_* variables; its log goes to a file (a pipe nobody
reads would block it). Processes come from a fork server that has imported the service and the
model's libraries once (11 s of CPU per fresh interpreter here), so starting one costs only
the model's load and the catalog's. With several workers, `serve` is uvicorn's supervisor and
its workers are spawned: fresh interpreters.
"""

import multiprocessing
import os
import socket
import sys
import time
import types
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Self

LOOPBACK = "127.0.0.1"
READY_LINE = "Application startup complete"  # uvicorn, once per worker
START_TIMEOUT = 1800  # s: every worker loads the catalogue; 100k on a busy machine is slow


_launcher: ForkServerContext | None = None


def launcher() -> ForkServerContext:
    """The fork server, started on first use with the heavy imports done."""
    global _launcher
    if _launcher is None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # read when huggingface_hub is imported
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        _launcher = multiprocessing.get_context("forkserver")
        _launcher.set_forkserver_preload(
            ["service.app", "service.cli.main", "sentence_transformers"]
        )
    return _launcher


def serve(argv: list[str], env: dict[str, str], log: str) -> None:
    """The server process: `matchfair ARGV` with MATCHFAIR_* from `env`, nothing in, output to
    `log`. With several workers uvicorn spawns them, and a spawned process reopens descriptor
    0 as its stdin and first imports its parent's main module: so stdin is /dev/null on 0,
    and the main module is none (the launcher's, bench.serve or pytest, would be imported
    before a worker answers the supervisor's 5 s health check)."""
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 (for the process)
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.environ.update(env)
    sys.argv = ["matchfair", *argv]
    sys.modules["__main__"] = types.ModuleType("__main__")
    from service.cli.main import main

    main()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """`matchfair serve` on a free loopback port; stopped (SIGTERM) on leaving a `with`."""

    def __init__(
        self,
        database_url: str,
        log: Path,
        *,
        env: dict[str, str] | None = None,
        demo: bool = False,
        workers: int | None = 1,
    ) -> None:
        """One worker by default: the process a crash test kills is the one doing the work
        (with several, it is a supervisor whose workers would outlive it); `workers=None` is
        serve's own default, one per core."""
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.log = log
        self.workers = workers or os.cpu_count() or 1
        self.argv = ["serve", "--host", LOOPBACK, "--port", str(self.port)]
        self.argv += ["--workers", str(workers)] if workers else []
        self.argv += ["--demo"] if demo else []
        self.env = {"MATCHFAIR_DATABASE_URL": database_url, **(env or {})}
        self.started_s = 0.0
        self._process: BaseProcess | None = None

    def start(self, timeout: float = START_TIMEOUT) -> Self:
        """Start, and wait until every worker has finished its start-up (models, catalogue,
        warm-up)."""
        began, ready = time.perf_counter(), self.lines_with(READY_LINE) + self.workers
        process = launcher().Process(target=serve, args=(self.argv, self.env, str(self.log)))
        process.start()
        self._process = process
        while self.lines_with(READY_LINE) < ready:  # a log may go on from an earlier run
            if not process.is_alive():
                raise RuntimeError(f"the server exited ({process.exitcode}):\n{self.tail()}")
            if time.perf_counter() - began > timeout:
                self.kill()
                raise RuntimeError(f"the server did not start within {timeout} s:\n{self.tail()}")
            time.sleep(0.2)
        self.started_s = time.perf_counter() - began
        return self

    def kill(self) -> None:
        """kill -9: no shutdown handler, no flush, no goodbye."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join()

    def stop(self) -> None:
        """A clean shutdown (SIGTERM), as a process manager does."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=60)
            self.kill()

    def text(self) -> str:
        """The whole log so far."""
        if not self.log.exists():
            return ""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def tail(self, chars: int = 4000) -> str:
        return self.text()[-chars:]

    def lines_with(self, needle: str) -> int:
        return sum(needle in line for line in self.text().splitlines())

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
