"""Phone number display."""
