"""The `bai` command: `bai serve`, `bai migrate`, `bai users ...`, `bai identities ...`,
`bai import-pocketbase`."""

from bai.entrypoints.cli.main import main

__all__ = ["main"]
