"""`bai serve` refuses, in one line and before anything starts, what cannot work: a taken port,
a host that does not resolve, a Redis URL that is not one; `bai --version` answers."""

import socket
from pathlib import Path

import pytest

from bai.entrypoints.cli import main
from bai.entrypoints.serving.listening import bind_address, why_not_listen


def test_a_port_another_process_listens_on_is_refused() -> None:
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as Granian binds
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]

        assert why_not_listen("127.0.0.1", port) == (
            f"BAI_PORT {port} on 127.0.0.1 is taken by another process"
        )


def test_a_free_port_is_fine() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    assert why_not_listen("127.0.0.1", port) is None


def test_a_host_name_that_cannot_resolve_is_refused() -> None:
    assert why_not_listen("a..b", 8090) == "BAI_HOST 'a..b' does not resolve to an address"


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"BAI_HOST": "a..b"}, "bai: BAI_HOST 'a..b' does not resolve to an address"),
        (
            {"BAI_REDIS_URL": "notaurl"},
            "BAI_REDIS_URL must be a redis://, rediss:// or unix:// URL",
        ),
        ({"BAI_ENV": "prod"}, "BAI_ENV must be development or production"),
    ],
)
def test_serve_refuses_in_one_line_without_a_traceback(
    env: dict[str, str],
    line: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("BAI_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    status = main(["serve"])

    err = capsys.readouterr().err
    assert status == 2
    assert line in err
    assert len(err.strip().splitlines()) == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])

    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("bai ")


def test_a_host_name_is_listened_on_as_its_address() -> None:
    assert bind_address("localhost", 8090) in {"127.0.0.1", "::1"}  # Granian takes addresses only
    assert bind_address("10.1.2.3", 8090) == "10.1.2.3"


def test_the_connections_of_a_server_that_just_stopped_do_not_hold_its_port() -> None:
    with socket.socket() as listener:
        for option in (socket.SO_REUSEADDR, socket.SO_REUSEPORT):  # as Granian binds
            listener.setsockopt(socket.SOL_SOCKET, option, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server closes first: its side lingers in TIME_WAIT / FIN_WAIT
    try:
        assert why_not_listen("127.0.0.1", port) is None  # as `systemctl restart` needs
    finally:
        client.close()
