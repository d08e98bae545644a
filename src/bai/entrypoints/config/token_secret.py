"""Where the collection secret comes from: the environment, a file (`secret_file.py`), or
(development) the data directory."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from bai.entrypoints.config.secret_file import OWN, Secret, TokenSecretError, read_secret_file

SECRET_FILE = "token_secret"  # noqa: S105 (a file name)


def token_secret_from(env: Mapping[str, str], *, production: bool) -> Secret:
    """`BAI_TOKEN_SECRET`, or the content of the file `BAI_TOKEN_SECRET_FILE` names (the Docker
    and Kubernetes secrets convention; what `bai import-pocketbase` writes); not both."""
    secret, path = env.get("BAI_TOKEN_SECRET", ""), env.get("BAI_TOKEN_SECRET_FILE", "").strip()
    if not path:
        return Secret(secret)
    if secret:
        raise TokenSecretError("set BAI_TOKEN_SECRET or BAI_TOKEN_SECRET_FILE, not both")
    try:
        read = read_secret_file(Path(path), production=production)
    except TokenSecretError as exc:
        raise TokenSecretError(f"BAI_TOKEN_SECRET_FILE: {exc}") from None
    if not read.value:
        raise TokenSecretError(f"BAI_TOKEN_SECRET_FILE: {path} is empty")
    return Secret(read.value, read.warning and f"BAI_TOKEN_SECRET_FILE: {read.warning}")


def development_token_secret(data_dir: Path) -> Secret:
    """A secret made once and kept in the data directory, shared by every local process."""
    path = data_dir / SECRET_FILE
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | OWN, 0o600)
    except FileExistsError:
        return read_secret_file(path, production=False)
    except OSError as exc:
        raise TokenSecretError(f"cannot create {path}: {type(exc).__name__}") from exc
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    return read_secret_file(path, production=False)
