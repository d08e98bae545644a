"""Where the collection secret comes from: the environment, a file, or (development) the data
directory."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

SECRET_FILE = "token_secret"  # noqa: S105 (a file name)


class TokenSecretError(ValueError):
    """The secret's source cannot serve."""


def token_secret_from(env: Mapping[str, str]) -> str:
    """`BAI_TOKEN_SECRET`, or the content of the file `BAI_TOKEN_SECRET_FILE` names (the Docker
    and Kubernetes secrets convention; what `bai import-pocketbase` writes); not both."""
    secret, path = env.get("BAI_TOKEN_SECRET", ""), env.get("BAI_TOKEN_SECRET_FILE", "").strip()
    if not path:
        return secret
    if secret:
        raise TokenSecretError("set BAI_TOKEN_SECRET or BAI_TOKEN_SECRET_FILE, not both")
    try:
        content = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenSecretError(
            f"BAI_TOKEN_SECRET_FILE: cannot read {path}: {type(exc).__name__}"
        ) from exc
    if not content:
        raise TokenSecretError(f"BAI_TOKEN_SECRET_FILE: {path} is empty")
    return content


def development_token_secret(data_dir: Path) -> str:
    """A secret made once and kept in the data directory, shared by every local process."""
    path = data_dir / SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def write_token_secret(path: Path, secret: str) -> None:
    """Keep `secret` in `path`, readable by its owner only (mode 600), for
    `BAI_TOKEN_SECRET_FILE`. A file that already holds it is left as it is (made 600); one that
    holds anything else is never overwritten."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            held = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise TokenSecretError(f"cannot read {path}: {type(exc).__name__}") from exc
        if held != secret:
            raise TokenSecretError(
                f"{path} already holds another secret; remove it or name another file"
            ) from None
        path.chmod(0o600)
        return
    except OSError as exc:
        raise TokenSecretError(f"cannot create {path}: {type(exc).__name__}") from exc
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
