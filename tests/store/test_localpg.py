"""The throwaway PostgreSQL refuses a CPU its pgvector cannot run on, saying why."""

from pathlib import Path

import pytest

from service.store.localpg import _require_avx512

FLAGS = "flags\t\t: fpu vme sse sse2 avx avx2 fma"


def test_a_cpu_without_avx512_is_refused_with_the_reason(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\n{FLAGS}\n")
    with pytest.raises(RuntimeError, match=r"AVX-512.*avx512f"):
        _require_avx512(cpuinfo)


def test_an_avx512_cpu_or_no_cpuinfo_is_let_through(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\n{FLAGS} avx512f avx512bw avx512vl\n")
    _require_avx512(cpuinfo)
    _require_avx512(tmp_path / "absent")
