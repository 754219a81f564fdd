"""`bench.serve`'s figures: into the JSON dict (flat keys) and into readable tables."""

from typing import Any

from bench.server import Server
from bench.serving import EDIT, NEED, PARTNERS, POST_NEED, SEARCH, Tally

SHORT = {NEED: "need", SEARCH: "search", PARTNERS: "partners", EDIT: "edit", POST_NEED: "post_need"}
Results = dict[str, Tally]
RESTART_LINE = "] died"  # uvicorn's supervisor replaced a worker that did not answer its ping


def _r(x: float, digits: int = 2) -> float:
    return round(x, digits)


def put(out: dict[str, Any], prefix: str, t: str, ours: Results, floor: Results | None) -> None:
    """p50/p99 (ms), requests/s and errors of each route; the floor's and the ratio beside."""
    errors = 0
    for route, tally in ours.items():
        key = f"{prefix}{SHORT[route]}"
        out[f"{key}_p50_ms_{t}"] = _r(tally.ms(route, 50))
        out[f"{key}_p99_ms_{t}"] = _r(tally.ms(route, 99))
        out[f"{key}_rps_{t}"] = _r(tally.rps, 1)
        out[f"{key}_requests_{t}"] = tally.requests
        errors += len(tally.errors)
        if floor is not None:
            base = floor[route]
            out[f"{prefix}floor_{SHORT[route]}_p50_ms_{t}"] = _r(base.ms(route, 50), 3)
            out[f"{prefix}floor_{SHORT[route]}_p99_ms_{t}"] = _r(base.ms(route, 99), 3)
            out[f"{key}_over_floor_{t}"] = _r(tally.ms(route, 50) / base.ms(route, 50), 1)
    out[f"{prefix}errors_{t}"] = errors


def table(
    title: str, ours: Results, floor: Results | None, first: dict[str, float] | None = None
) -> str:
    head = f"{'':40s}{'n':>6s}{'p50 ms':>9s}{'p99 ms':>9s}{'p99/p50':>8s}{'req/s':>8s}"
    if floor is not None:
        head += f"{'floor p50':>10s}{'p99':>8s}{'p50/floor':>10s}"
    if first is not None:
        head += f"{'first ms':>9s}{'/p50':>6s}"
    lines = [f"-- {title}", head]
    for route, tally in ours.items():
        p50, p99 = tally.ms(route, 50), tally.ms(route, 99)
        line = f"{route:40s}{tally.requests:6d}{p50:9.2f}{p99:9.2f}{p99 / p50:8.1f}{tally.rps:8.1f}"
        if floor is not None:
            b50, b99 = floor[route].ms(route, 50), floor[route].ms(route, 99)
            line += f"{b50:10.3f}{b99:8.3f}{p50 / b50:10.0f}x"
        if first is not None:
            line += f"{first[route]:9.1f}{first[route] / p50:6.1f}"
        lines.append(line)
    problems = [e for tally in ours.values() for e in tally.errors]
    lines.append(f"errors: {len(problems)}" + "".join(f"\n  {e}" for e in problems[:5]))
    return "\n".join(lines)


def put_load(out: dict[str, Any], tally: Tally, server: Server) -> None:
    out["load_rps"] = _r(tally.rps, 1)
    out["load_requests"] = tally.requests
    out["load_errors"] = len(tally.errors)
    out["load_seconds"] = _r(tally.wall_s, 1)
    out["load_db_locked_lines"] = server.lines_with("database is locked")
    out["serve_worker_restarts"] = server.lines_with(RESTART_LINE)
    for route in tally.seconds:
        name = SHORT.get(route, route)
        out[f"load_{name}_p50_ms"] = _r(tally.ms(route, 50))
        out[f"load_{name}_p99_ms"] = _r(tally.ms(route, 99))
        out[f"load_{name}_requests"] = len(tally.seconds[route])


def load_table(tally: Tally, server: Server) -> str:
    lines = [
        f"-- load: {tally.wall_s:.0f} s at concurrency 8, matchfair serve, {server.workers} "
        f"workers: {tally.requests} requests, {tally.rps:.1f} requests/s, "
        f"{len(tally.errors)} errors, {server.lines_with('database is locked')} "
        f"'database is locked' log lines, {server.lines_with(RESTART_LINE)} worker restarts",
        f"{'':40s}{'requests':>9s}{'p50 ms':>9s}{'p99 ms':>9s}",
    ]
    for route, seconds in tally.seconds.items():
        lines.append(
            f"{route:40s}{len(seconds):9d}{tally.ms(route, 50):9.2f}{tally.ms(route, 99):9.2f}"
        )
    lines += [f"  {e}" for e in tally.errors[:5]]
    return "\n".join(lines)
