"""Where a request's CPU time goes, by layer, from a cProfile of requests served in process.

Every function's own time (cProfile's `tottime`, not what it calls) is given to the layer its
file belongs to (LAYERS, first match). Code that belongs to none (the standard library's
asyncio, json, re, typing…; functions written in C, which cProfile names but places in no file)
is charged to its callers, in proportion to the time each call edge spent in it: `hmac` called
from the token adapter is the token's, `msgspec.json.decode` called by Litestar is the
framework's. The event loop's own work (uvloop's C, and the Cython protocol callbacks it runs
with no Python frame above them: most of asyncpg's receive and decode) is seen by no profile
hook; it is the process's CPU time over the profile less everything attributed.

cProfile's clock here is the thread's CPU clock: with the wall clock, a request that wakes
PostgreSQL or the fake WeChat on this 2-core machine is often preempted right after its `send`,
and the wait was charged to the sender (asyncpg, the WeChat transport) as if it were work. Its
hooks cost about the same on every call (a CPU clock read is ~0.7 us here), which would inflate
code that makes many small calls; so the profiler's cost per call (the profiled CPU time per
request less the unprofiled, over the calls per request) is taken off every function, split
between callee and caller as measured on the cheapest functions, before the layers are summed.
The total is the CPU time per request measured without the profiler.
"""

import cProfile
import pstats
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

Function = tuple[str, int, str]
Shares = dict[str, float]

LAYERS = [
    ("token", ("/src/bai/adapters/tokens/", "/site-packages/jwt/")),
    (
        "log line",
        (
            "/src/bai/entrypoints/observability/logs.py",
            "/src/bai/entrypoints/observability/logging_speedups.py",
        ),
    ),
    ("log line", ("/lib/python3.11/logging/",)),
    ("metrics", ("/site-packages/prometheus_client/", "/src/bai/adapters/prometheus/")),
    ("use case (domain)", ("/src/bai/domain/",)),
    ("database adapter (BAI)", ("/src/bai/adapters/asyncpg/", "/src/bai/adapters/sqlalchemy/")),
    ("database driver (asyncpg)", ("/site-packages/asyncpg/",)),
    (
        "WeChat client",
        ("/src/bai/adapters/wechat/", "/site-packages/httpx", "/site-packages/httpcore/"),
    ),
    ("WeChat client", ("/site-packages/httptools/", "/lib/python3.11/urllib/")),
    ("framework (Litestar)", ("/site-packages/litestar/", "/site-packages/msgspec/")),
    ("framework (Litestar)", ("/site-packages/anyio/", "/site-packages/multipart")),
    ("BAI HTTP edge and wiring", ("/src/bai/entrypoints/", "/site-packages/dependency_injector/")),
    ("bench driver", ("/scripts/bench/",)),
]
EVENT_LOOP = "event loop (uvloop, Cython callbacks)"
ORDER = [
    "framework (Litestar)",
    "BAI HTTP edge and wiring",
    "use case (domain)",
    "database adapter (BAI)",
    "database driver (asyncpg)",
    "WeChat client",
    "token",
    "log line",
    "metrics",
    EVENT_LOOP,
    "other",
    "bench driver",
]


def layer_of(function: Function) -> str | None:
    path = function[0]
    return next((name for name, parts in LAYERS if any(p in path for p in parts)), None)


def calls(profile: cProfile.Profile) -> int:
    """How many calls the profile saw (each resumption of a coroutine is one)."""
    return sum(entry[1] for entry in _stats(profile).values())


def _stats(profile: cProfile.Profile) -> Mapping[Function, tuple[int, int, float, float, Any]]:
    return pstats.Stats(profile).stats  # type: ignore[attr-defined,no-any-return]


def attribute(profile: cProfile.Profile, *, per_call: float) -> Shares:
    """Seconds of own time per layer, less the profiler's `per_call` for each call (part from
    the callee's own time, part from the caller's); unplaced code is charged to its callers."""
    stats = _stats(profile)
    resolved: dict[Function, Shares] = {}
    made: dict[Function, int] = defaultdict(int)  # calls each function made
    for entry in stats.values():
        for caller, edge in entry[4].items():
            made[caller] += edge[1]
    # A call's hooks run partly in the callee's own time, partly in its caller's. The callee's
    # part is what the cheapest function often called took a call (`Future.done`, `typing.cast`:
    # their own work is a few ns); the caller's is the rest.
    callee = min(
        (own / count for _, count, own, _, _ in stats.values() if count >= 100), default=0.0
    )
    callee = min(callee, per_call)
    caller = per_call - callee

    def split(function: Function, seen: frozenset[Function]) -> Shares:
        """How `function`'s time divides among layers (fractions summing to 1)."""
        if (name := layer_of(function)) is not None:
            return {name: 1.0}
        if function in resolved:
            return resolved[function]
        callers = stats.get(function, (0, 0, 0.0, 0.0, {}))[4]
        weights = {
            source: max(edge[2] - callee * edge[1], 0.0)
            for source, edge in callers.items()
            if source not in seen
        }
        total = sum(weights.values())
        if not callers:
            result = {EVENT_LOOP: 1.0}
        elif total <= 0:
            result = {"other": 1.0}
        else:
            result = defaultdict(float)
            for source, weight in weights.items():
                for name, part in split(source, seen | {function}).items():
                    result[name] += part * weight / total
        resolved[function] = dict(result)
        return resolved[function]

    seconds: Shares = defaultdict(float)
    for function, (_, count, own, _, _) in stats.items():
        for name, part in split(function, frozenset()).items():
            seconds[name] += max(own - callee * count - caller * made[function], 0.0) * part
    return dict(seconds)


def table(layers: Shares, *, cpu_us: float, per_call_us: float, inflation: float) -> list[str]:
    """Microseconds of CPU per request by layer (`layers`: seconds per request); what the
    profile did not place (the event loop's own work) is `cpu_us`, the CPU time per request
    measured without the profiler, less all it placed."""
    placed = sum(layers.values()) * 1e6
    layers = {**layers, EVENT_LOOP: layers.get(EVENT_LOOP, 0.0) + max(cpu_us - placed, 0) / 1e6}
    total = sum(layers.values())
    lines = [f"{'layer':40} {'us/req':>7} {'share':>6}"]
    for name in ORDER:
        if (value := layers.get(name, 0.0)) > 0:
            lines.append(f"{name:40} {value / total * cpu_us:7.0f} {value / total:6.1%}")
    lines.append(f"{'total (measured without the profiler)':40} {cpu_us:7.0f}")
    lines.append(f"(profiled: {inflation:.1f}x the CPU, {per_call_us:.2f} us a call taken off)")
    if placed > cpu_us * 1.05:
        lines.append(f"(the profile placed {placed:.0f} us, more than was measured: the event")
        lines.append(" loop's part is unknown and every layer is scaled down to the total)")
    return lines
