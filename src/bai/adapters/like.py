"""A name search as a LIKE pattern, for the SQL adapters and PocketBase's filter (whose `~` is
SQLite's LIKE): the text taken literally, backslash the escape character."""

from bai.domain.user_query import ascii_folded


def containing(text: str) -> str:
    """The pattern of the texts holding `text` (A-Z folded to a-z, as `UserQuery.matches`
    folds them), with `\\`, `%` and `_` escaped."""
    escaped = "".join(f"\\{c}" if c in "\\%_" else c for c in ascii_folded(text))
    return f"%{escaped}%"
