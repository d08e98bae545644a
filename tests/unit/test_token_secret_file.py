"""`BAI_TOKEN_SECRET_FILE` is read only as a regular file of its own: anything else is refused in
one line, and a file or folder that others can write is refused in production and warned about
otherwise."""

import os
import socket
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bai.entrypoints.cli import main
from bai.entrypoints.config.secret_file import TokenSecretError, write_token_secret
from bai.entrypoints.config.settings import SettingsError, load_settings

SECRET = "f" * 40
WECHAT = {"BAI_WECHAT_APPID": "wx-app", "BAI_WECHAT_SECRET": "wechat-secret"}


def secret_in(folder: Path, mode: int = 0o600) -> Path:
    path = folder / "token_secret"
    path.write_text(SECRET + "\n")
    path.chmod(mode)
    return path


def env_for(path: Path | str, **more: str) -> dict[str, str]:
    return {"BAI_TOKEN_SECRET_FILE": str(path), "BAI_DATA_DIR": str(Path(path).parent), **more}


def symlink(folder: Path) -> Path:
    link = folder / "link"
    link.symlink_to(secret_in(folder))
    return link


def dangling(folder: Path) -> Path:
    link = folder / "dangling"
    link.symlink_to(folder / "nowhere")
    return link


def directory(folder: Path) -> Path:
    (folder / "dir").mkdir()
    return folder / "dir"


def unix_socket(folder: Path) -> Path:
    path = folder / "sock"
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(path))
    return path


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (symlink, "a symbolic link"),
        (dangling, "a symbolic link"),
        (directory, "a directory"),
        (unix_socket, "a socket"),
        (lambda _: Path(os.devnull), "a device"),
    ],
)
def test_what_is_not_a_regular_file_of_its_own_is_refused_in_one_line(
    tmp_path: Path, make: Callable[[Path], Path], kind: str
) -> None:
    path = make(tmp_path)

    with pytest.raises(SettingsError) as refused:
        load_settings(env_for(path) | {"BAI_DATA_DIR": str(tmp_path)})

    assert str(refused.value) == (f"BAI_TOKEN_SECRET_FILE: {path} is {kind}, not a regular file")


@settings(max_examples=60, deadline=None)
@given(file_bits=st.integers(0, 0o077), folder_bits=st.integers(0, 0o077))
def test_what_others_can_write_is_refused_in_production_and_warned_about_otherwise(
    file_bits: int, folder_bits: int
) -> None:
    finding = (
        f"can be written by others (mode {0o600 | file_bits:o})"
        if file_bits & 0o022
        else f"its folder can be written by others (mode {0o700 | folder_bits:o})"
        if folder_bits & 0o022
        else None
    )
    with tempfile.TemporaryDirectory() as made:
        folder = Path(made) / "secrets"
        folder.mkdir()
        folder.chmod(0o700 | folder_bits)
        path = secret_in(folder, 0o600 | file_bits)
        development = load_settings(env_for(path))
        try:
            production = load_settings(env_for(path, BAI_ENV="production", **WECHAT)).warnings
        except SettingsError as exc:
            production = (str(exc),)
        folder.chmod(0o700)

    assert development.token_secret == SECRET
    shown = f"BAI_TOKEN_SECRET_FILE: {path}: {finding}"
    assert development.warnings == ((f"{shown}; production would refuse it",) if finding else ())
    assert production == ((f"{shown}; BAI_ENV=production needs it yours alone",) if finding else ())


@pytest.mark.skipif(os.geteuid() != 0, reason="only root gives a file to another user")
def test_a_file_another_user_owns_is_refused_in_production(tmp_path: Path) -> None:
    path = secret_in(tmp_path)
    os.chown(path, 65534, 65534)

    with pytest.raises(SettingsError) as refused:
        load_settings(env_for(path, BAI_ENV="production", **WECHAT))

    assert str(refused.value) == (
        f"BAI_TOKEN_SECRET_FILE: {path}: belongs to another user (uid 65534);"
        " BAI_ENV=production needs it yours alone"
    )


def test_the_warning_is_the_commands_first_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = secret_in(tmp_path, 0o666)
    for name, value in env_for(path, BAI_DATABASE_URL="memory://").items():
        monkeypatch.setenv(name, value)

    assert main(["migrate"]) == 0

    first = capsys.readouterr().err.splitlines()[0]
    assert f"{path}: can be written by others (mode 666); production would refuse it" in first


def test_a_development_secret_that_is_a_link_is_refused_not_followed(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "token_secret").symlink_to(secret_in(tmp_path / "elsewhere", 0o644))

    with pytest.raises(SettingsError, match="token_secret is a symbolic link"):
        load_settings({"BAI_DATA_DIR": str(tmp_path)})


def test_an_existing_secret_file_is_made_private_as_itself(tmp_path: Path) -> None:
    path = secret_in(tmp_path, 0o644)

    assert write_token_secret(path, SECRET, production=True) is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_import_writes_no_secret_into_a_folder_others_can_write_in_production(
    tmp_path: Path,
) -> None:
    tmp_path.chmod(0o777)
    path = tmp_path / "token_secret"

    with pytest.raises(TokenSecretError, match="its folder can be written by others"):
        write_token_secret(path, SECRET, production=True)
    assert not path.exists()
    assert write_token_secret(path, SECRET, production=False) == (
        f"{path}: its folder can be written by others (mode 777); production would refuse it"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
