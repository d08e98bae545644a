from typing import Protocol


class PhoneMasker(Protocol):
    """Hides the middle of a phone number for display."""

    def mask(self, phone: str) -> str: ...
