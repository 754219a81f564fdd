"""`matchfair serve` in a process of its own on a free loopback port: for the load benchmark and
for the tests that kill it (-9) in the middle of a write.

The server runs the `matchfair` command's own function (`matchfair serve --port N`) with its own
database URL and settings from MATCHFAIR_* variables; its log goes to a file (a pipe nobody
reads would block it). Processes come from a fork server that has imported the service and the
model's libraries once (11 s of CPU per fresh interpreter here), so starting one costs only
the model's load and the catalog's.
"""

import multiprocessing
import os
import socket
import sys
import time
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx

LOOPBACK = "127.0.0.1"


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
    """The server process: `matchfair ARGV` with MATCHFAIR_* from `env`, output to `log`."""
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.environ.update(env)
    sys.argv = ["matchfair", *argv]
    from service.cli.main import main

    main()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    def __init__(
        self,
        database_url: str,
        log: Path,
        *,
        env: dict[str, str] | None = None,
        demo: bool = False,
    ) -> None:
        self.database_url = database_url
        self.log = log
        self.env = env or {}
        self.demo = demo
        self.port = 0
        self._process: BaseProcess | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 600) -> Self:
        """Start and wait until /health answers (the model and catalog load first)."""
        self.port = free_port()
        # one process: the one a crash test kills is the one doing the work (with several,
        # `serve` is a supervisor whose workers would outlive it)
        argv = ["serve", "--host", LOOPBACK, "--port", str(self.port), "--workers", "1"]
        env = {"MATCHFAIR_DATABASE_URL": self.database_url, **self.env}
        process = launcher().Process(
            target=serve, args=([*argv, *(["--demo"] if self.demo else [])], env, str(self.log))
        )
        process.start()
        self._process = process
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not process.is_alive():
                raise RuntimeError(f"the server exited ({process.exitcode}):\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"the server did not answer within {timeout} s:\n{self.tail()}")

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

    def tail(self, chars: int = 4000) -> str:
        if not self.log.exists():
            return ""
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
