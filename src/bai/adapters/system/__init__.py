"""The system clock and random identifiers."""
