"""The throwaway PostgreSQL refuses a CPU its pgvector cannot run on, saying why."""

from pathlib import Path

import pytest

from service.store.localpg import _require_runnable_pgvector

FLAGS = "flags\t\t: fpu vme sse sse2 avx avx2 fma"


def _cpu(tmp_path: Path, flags: str) -> Path:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\n{flags}\n")
    return cpuinfo


def test_a_cpu_without_avx512_and_the_wheels_build_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    with pytest.raises(RuntimeError, match=r"AVX-512.*avx512f.*make install"):
        _require_runnable_pgvector(tmp_path, _cpu(tmp_path, FLAGS))


def test_a_build_for_this_cpu_an_avx512_cpu_or_no_cpuinfo_is_let_through(tmp_path: Path) -> None:
    _require_runnable_pgvector(tmp_path, _cpu(tmp_path, f"{FLAGS} avx512f avx512bw avx512vl"))
    _require_runnable_pgvector(tmp_path, tmp_path / "absent")
    (tmp_path / "lib" / "postgresql").mkdir(parents=True)
    (tmp_path / "lib" / "postgresql" / "vector.so.portable").write_text("0.8.0\n")
    _require_runnable_pgvector(tmp_path, _cpu(tmp_path, FLAGS))
