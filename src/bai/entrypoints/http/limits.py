"""Rate limits per route, and `BAI_RATE_LIMITS`, the operator's way to change them."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Limit:
    requests: int
    window_seconds: int


# Per client address and route. Generous on purpose: a carrier NAT puts hundreds of people
# behind one address, and a person logs in a few times an hour at most. Readiness (`health`)
# costs a database round trip: ten a second is far above a load balancer's probes (one every
# 1-5 s per probe address). Liveness touches nothing and a refusal would restart a sound
# worker: no limit unless the operator sets one.
DEFAULT_LIMITS: Final[Mapping[str, Limit | None]] = {
    "login": Limit(300, 60),
    "profile": Limit(120, 60),
    "refresh-token": Limit(300, 60),
    "users-count": Limit(600, 60),
    "health": Limit(10, 1),
    "health-live": None,
}
MAX_REQUESTS: Final = 1_000_000
MAX_SECONDS: Final = 86_400


class LimitsError(ValueError):
    """`BAI_RATE_LIMITS` does not say what limits to use."""


def parse_limits(text: str) -> dict[str, Limit | None]:
    """The defaults, changed by `name=REQUESTS/SECONDS` or `name=off` items separated by commas,
    e.g. `login=100/60,health-live=600/60`."""
    limits = dict(DEFAULT_LIMITS)
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = (piece.strip() for piece in item.partition("="))
        if name not in DEFAULT_LIMITS:
            raise LimitsError(f"unknown route {name!r}; routes: {', '.join(DEFAULT_LIMITS)}")
        limits[name] = _limit(name, value)
    return limits


def _limit(name: str, value: str) -> Limit | None:
    if value.lower() == "off":
        return None
    requests, _, seconds = value.partition("/")
    if not (requests.isascii() and requests.isdigit() and seconds.isascii() and seconds.isdigit()):
        raise LimitsError(f"{name}: expected REQUESTS/SECONDS or off, got {value!r}")
    limit = Limit(int(requests), int(seconds))
    if not (1 <= limit.requests <= MAX_REQUESTS and 1 <= limit.window_seconds <= MAX_SECONDS):
        raise LimitsError(
            f"{name}: requests must be 1..{MAX_REQUESTS} and seconds 1..{MAX_SECONDS}"
        )
    return limit
