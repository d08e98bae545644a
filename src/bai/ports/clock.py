from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """BAI's one notion of time: timestamps of records, and the windows, expiries and deadlines
    of adapters. Tests move a fake of it instead of sleeping."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def seconds(self) -> float:
        """The same moment in seconds since the epoch (windows, expiries, deadlines)."""
        return self.now().timestamp()
