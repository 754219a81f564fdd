"""A sampling profiler for requests served on other threads (FastAPI runs a sync route on a
worker thread, where cProfile, which follows one thread, does not look).

    with Sampler() as s:
        ...send requests...
    print(s.report())

Every `interval` seconds it reads the stack of every other thread and counts, per function, the
samples it was on the stack (inclusive) and on top (self). The stacks are read by `faulthandler`
(C, straight from the interpreter's frames), not by walking `sys._current_frames()` from Python:
on CPython 3.11 that walk crashed the process (a segmentation fault in `frame.f_code` of a frame
reached through `f_back`, once in a test run and once in a benchmark). Idle threads (waiting on
a lock, a queue or a socket) are left out, so the shares are of the time spent working. The
switch interval is lowered while sampling so a sample is not held back long by a thread that
keeps the interpreter lock.
"""

import faulthandler
import re
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Self

ROOT = str(Path(__file__).resolve().parents[1])
# top frames of a thread that waits: a lock, a queue (futures workers wait in C, in `_worker`),
# a selector or a socket
IDLE = frozenset(
    {"wait", "_wait_for_tstate_lock", "get", "_worker", "select", "poll", "accept", "recv_into"}
)
_THREAD = re.compile(r"^(?:Current thread|Thread) (0x[0-9a-f]+)")
_FRAME = re.compile(r'^  File "(.*)", line \d+ in (.*)$')


def _where(path: str, function: str) -> str:
    short = path[len(ROOT) + 1 :] if path.startswith(ROOT) else "/".join(path.split("/")[-2:])
    return f"{short} {function}"


def stacks(dump: str) -> dict[int, list[str]]:
    """Thread ident -> its stack, top first, from a `faulthandler.dump_traceback` text."""
    out: dict[int, list[str]] = {}
    stack: list[str] = []
    for line in dump.splitlines():
        if thread := _THREAD.match(line):
            stack = out.setdefault(int(thread.group(1), 16), [])
        elif frame := _FRAME.match(line):
            stack.append(_where(frame.group(1), frame.group(2)))
    return out


class Sampler:
    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.inclusive: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self._switch = sys.getswitchinterval()

    def _run(self) -> None:
        me, main = threading.get_ident(), threading.main_thread().ident
        with tempfile.TemporaryFile("w+") as dump:
            while not self._stop.wait(self.interval):
                dump.seek(0)
                dump.truncate()
                faulthandler.dump_traceback(dump, all_threads=True)
                dump.seek(0)
                for ident, stack in stacks(dump.read()).items():
                    if ident in (me, main) or not stack or stack[0].split()[-1] in IDLE:
                        continue
                    self.samples += 1
                    self.own[stack[0]] += 1
                    self.inclusive.update(set(stack))

    def __enter__(self) -> Self:
        sys.setswitchinterval(self.interval / 5)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        sys.setswitchinterval(self._switch)

    def report(self, top: int = 25, *, under: str = "service/") -> str:
        """The functions with the largest inclusive share (ours first: paths under `under`),
        and the largest self shares anywhere."""
        n = max(self.samples, 1)
        ours = [(k, v) for k, v in self.inclusive.most_common() if k.startswith(under)][:top]
        lines = [f"{self.samples} samples of working threads; inclusive share, ours:"]
        lines += [f"  {100 * v / n:5.1f} %  {k}" for k, v in ours]
        lines.append("self share (on top of the stack), anywhere:")
        lines += [f"  {100 * v / n:5.1f} %  {k}" for k, v in self.own.most_common(top // 2)]
        return "\n".join(lines)
