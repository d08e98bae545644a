"""The overview's chart: registrations per day for 30 days, drawn as an SVG by the server (no
script, no inline style: the page's Content-Security-Policy allows neither)."""

from dataclasses import dataclass
from typing import Final

from bai.domain.use_cases.console_reads import CHART_DAYS, Overview

WIDTH: Final = 300  # the SVG's own units; it scales to the page's width
HEIGHT: Final = 100
SLOT: Final = WIDTH / CHART_DAYS


@dataclass(frozen=True, slots=True)
class Bar:
    day: str  # YYYY-MM-DD (UTC)
    count: int
    x: float
    y: float
    height: float
    width: float


@dataclass(frozen=True, slots=True)
class Chart:
    bars: tuple[Bar, ...]
    peak: int  # the tallest bar's count (the scale)
    total: int
    width: int = WIDTH
    height: int = HEIGHT


def chart(overview: Overview) -> Chart:
    peak = max((count for _, count in overview.registrations), default=0)
    scale = HEIGHT / peak if peak else 0.0
    bars = []
    for n, (day, count) in enumerate(overview.registrations):
        tall = round(count * scale, 2)
        bars.append(
            Bar(
                day=day.isoformat(),
                count=count,
                x=round(n * SLOT + 1, 2),
                y=round(HEIGHT - tall, 2),
                height=tall,
                width=round(SLOT - 2, 2),
            )
        )
    return Chart(tuple(bars), peak, sum(bar.count for bar in bars))
