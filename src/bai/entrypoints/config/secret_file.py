"""A secret file is read and written only as a regular file of its own: a symbolic link, a FIFO
(whose reader would wait forever), a directory or a device is refused, and it is opened without
following a link or waiting, so that what is checked is what is read. A file or folder that
another user can write is refused in production and warned about otherwise."""

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 4096
OWN = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
KINDS = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFDIR: "a directory",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


class TokenSecretError(ValueError):
    """The secret's source cannot serve."""


@dataclass(frozen=True, slots=True)
class Secret:
    value: str
    warning: str | None = None  # who else can write its file (refused in production)


def read_secret_file(path: Path, *, production: bool, max_bytes: int = MAX_BYTES) -> Secret:
    """What `path` holds, stripped, if it is a regular file of its own (at most `max_bytes`:
    a secret, or a file of several, like the apps file)."""
    with os.fdopen(_open_own(path), "rb") as handle:
        content = _text(path, handle.read(max_bytes + 1), max_bytes)
        return Secret(content, _exposure(path, production, os.fstat(handle.fileno())))


def write_token_secret(path: Path, secret: str, *, production: bool) -> str | None:
    """Keep `secret` in `path`, readable by its owner only (mode 600), for
    `BAI_TOKEN_SECRET_FILE`; the warning about who else can write there, if any. A file that
    already holds it is left as it is (made 600); one that holds anything else is never
    overwritten."""
    warning = _exposure(path, production)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | OWN, 0o600)
    except FileExistsError:
        return _keep(path, secret, production=production)
    except OSError as exc:
        raise TokenSecretError(f"cannot create {path}: {type(exc).__name__}") from exc
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return warning


def _keep(path: Path, secret: str, *, production: bool) -> str | None:
    """An existing `path` that holds `secret`, made 600 as itself (never through a link)."""
    with os.fdopen(_open_own(path), "rb") as handle:
        if _text(path, handle.read(MAX_BYTES + 1)) != secret:
            raise TokenSecretError(
                f"{path} already holds another secret; remove it or name another file"
            )
        try:
            os.fchmod(handle.fileno(), 0o600)
        except OSError as exc:
            raise TokenSecretError(f"cannot make {path} mode 600: {type(exc).__name__}") from exc
        return _exposure(path, production, os.fstat(handle.fileno()))


def _open_own(path: Path) -> int:
    """A descriptor for reading `path`, a regular file itself: checked before it is opened
    (for the message) and after (what was opened is what was checked)."""
    try:
        kind = KINDS.get(stat.S_IFMT(os.lstat(path).st_mode))
        if kind:
            raise TokenSecretError(f"{path} is {kind}, not a regular file")
        descriptor = os.open(path, os.O_RDONLY | OWN)
    except OSError as exc:
        why = "a symbolic link" if exc.errno == errno.ELOOP else type(exc).__name__
        raise TokenSecretError(f"cannot read {path}: {why}") from exc
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise TokenSecretError(f"{path} is not a regular file")
    return descriptor


def _text(path: Path, content: bytes, max_bytes: int = MAX_BYTES) -> str:
    if len(content) > max_bytes:
        raise TokenSecretError(f"{path} is longer than it may be ({max_bytes} bytes at most)")
    try:
        return content.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise TokenSecretError(f"cannot read {path}: it is not UTF-8 text") from None


def _exposure(path: Path, production: bool, held: os.stat_result | None = None) -> str | None:
    """Who else can write the file `path` (as opened: `held`, when given) or its folder:
    refused in production, the warning otherwise; None when nobody else can."""
    try:
        folder = os.stat(path.absolute().parent)
    except OSError as exc:
        raise TokenSecretError(f"cannot read {path.parent}: {type(exc).__name__}") from exc
    places = [("", held), ("its folder ", folder)] if held else [("its folder ", folder)]
    for what, status in places:
        if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            found = f"{what}can be written by others (mode {stat.S_IMODE(status.st_mode):o})"
        elif status.st_uid not in {0, os.geteuid()}:
            found = f"{what}belongs to another user (uid {status.st_uid})"
        else:
            continue
        if production:
            raise TokenSecretError(f"{path}: {found}; BAI_ENV=production needs it yours alone")
        return f"{path}: {found}; production would refuse it"
    return None
