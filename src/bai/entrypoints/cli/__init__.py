"""The `bai` command: `bai serve`, `bai migrate`, `bai users ...`, `bai import-pocketbase`."""

from bai.entrypoints.cli.main import main

__all__ = ["main"]
