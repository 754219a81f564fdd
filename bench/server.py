"""`matchfair serve` in a process of its own on a free loopback port: for the load benchmark and
for the tests that kill it (-9) in the middle of a write.

The server runs exactly as deployed (`python -m service.cli serve`, the console script's
function), with its own database URL and settings from MATCHFAIR_* variables; its log goes to a
file (a pipe nobody reads would block it).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"


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
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 600) -> Self:
        """Start and wait until /health answers (the model loads first: tens of seconds)."""
        self.port = free_port()
        command = [sys.executable, "-m", "service.cli", "serve", "--host", LOOPBACK]
        command += ["--port", str(self.port), *(["--demo"] if self.demo else [])]
        env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "MATCHFAIR_DATABASE_URL": self.database_url,
            **self.env,
        }
        with self.log.open("ab") as out:
            self._process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"the server exited ({self._process.returncode}):\n{self.tail()}"
                )
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
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait()

    def stop(self) -> None:
        """A clean shutdown (SIGTERM), as a process manager does."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, chars: int = 4000) -> str:
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
