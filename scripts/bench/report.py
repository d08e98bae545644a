"""The benchmark's tables: one row per scenario and run, each server's columns side by side
(with the first server's rate over the second's when there are two), then the means."""

import math
from statistics import mean

Result = dict[str, float | str]


def _us(value: float | str) -> str:
    return "-" if isinstance(value, str) or math.isnan(value) else f"{value:,.0f}"


def header(names: list[str]) -> str:
    def each(label: str) -> list[str]:
        return [f"{label} {name}" for name in names] if len(names) > 1 else [label]

    columns = ["scenario", "run", "load 1m", *each("req/s")]
    if len(names) == 2:
        columns.append(f"{names[0]}/{names[1]}")
    columns += each("p50 / p99 ms") + each("errors") + each("CPU us/req")
    columns += each("PostgreSQL us/req") + each("RSS/worker MB")
    return "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns)


def row(scenario: str, run: int, results: list[Result]) -> str:
    cells = [scenario, str(run), str(results[0]["load"])]
    cells += [f"{r['req/s']:,.0f}" for r in results]
    if len(results) == 2:
        cells.append(f"{float(results[0]['req/s']) / max(float(results[1]['req/s']), 1):.2f}")
    cells += [f"{r['p50']:.2f} / {r['p99']:.2f}" for r in results]
    cells += [f"{r['errors']:.0f}" for r in results]
    cells += [_us(r["cpu"]) for r in results]
    cells += [_us(r["pg"]) for r in results]
    cells += [str(r["rss"]) or "-" for r in results]
    return "| " + " | ".join(cells) + " |"


def summary(names: list[str], table: dict[str, list[list[Result]]]) -> str:
    """Per scenario: mean req/s of each server and their ratio, the highest p99, mean CPU."""
    lines = [
        f"| scenario | {names[0]} req/s | {names[1]} req/s | {names[0]}/{names[1]} "
        f"| p99 ms max {names[0]} / {names[1]} | CPU us/req {names[0]} / {names[1]} "
        f"| PostgreSQL us/req {names[0]} / {names[1]} |",
        "|---|---|---|---|---|---|---|",
    ]
    for scenario, runs in table.items():
        by_server = list(zip(*runs, strict=True))
        rates = [mean(float(r["req/s"]) for r in results) for results in by_server]
        p99 = [max(float(r["p99"]) for r in results) for results in by_server]
        cpu = [_us(mean(float(r["cpu"]) for r in results)) for results in by_server]
        pg = [_us(mean(float(r["pg"]) for r in results)) for results in by_server]
        lines.append(
            f"| {scenario} | {rates[0]:,.0f} | {rates[1]:,.0f} | {rates[0] / max(rates[1], 1):.2f} "
            f"| {p99[0]:.1f} / {p99[1]:.1f} | {cpu[0]} / {cpu[1]} | {pg[0]} / {pg[1]} |"
        )
    return "\n".join(lines)


def against_floor(floored: dict[str, list[tuple[Result, Result]]]) -> str:
    """Per scenario: BAI's and the floor's mean req/s, their ratio, and CPU per request."""
    lines = [
        "| scenario | BAI req/s | floor req/s | BAI/floor | CPU us/req BAI / floor |",
        "|---|---|---|---|---|",
    ]
    for scenario, pairs in floored.items():
        bai = mean(float(each["req/s"]) for each, _ in pairs)
        bare = mean(float(each["req/s"]) for _, each in pairs)
        cpu = [_us(mean(float(run[n]["cpu"]) for run in pairs)) for n in (0, 1)]
        ratios = ", ".join(f"{float(a['req/s']) / max(float(b['req/s']), 1):.2f}" for a, b in pairs)
        lines.append(
            f"| {scenario} | {bai:,.0f} | {bare:,.0f} | {bai / max(bare, 1):.2f} ({ratios}) "
            f"| {cpu[0]} / {cpu[1]} |"
        )
    return "\n".join(lines)
