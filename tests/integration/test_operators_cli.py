"""`bai operators ...` and `bai audit list` as an operator runs them on a SQLite file (the
command's own entry point, in this process): accounts with Argon2id hashes never printed, and
an audit trail of every operator action from the CLI."""

import io
import json

import pytest

from tests.integration.test_identities_cli import Operator, apps_file, operator, signed_in
from tests.support.cli import cli
from tests.support.identity_stores import PRIMARY

__all__ = ["apps_file", "cli", "operator"]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> "Typed":
    return Typed(monkeypatch)


class Typed:
    """What the operator types: the password on standard input (not a terminal)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch

    def __call__(self, text: str) -> None:
        self._monkeypatch.setattr("sys.stdin", io.StringIO(text + "\n"))


def lines(text: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in text.splitlines()]


def test_an_operator_is_added_listed_changed_and_removed(operator: Operator, typed: Typed) -> None:
    typed(PASSWORD)
    added = operator("operators", "add", "Ops@Example.com", "--role", "viewer")
    typed(PASSWORD + "!")
    passwd = operator("operators", "passwd", "ops@example.com")
    role = operator("operators", "role", "ops@example.com", "admin")
    listed = operator("operators", "list")
    removed = operator("operators", "remove", "ops@example.com")
    after = operator("operators", "list")

    assert [added.returncode, passwd.returncode, role.returncode] == [0, 0, 0], added.stderr
    assert added.stdout.strip() == "added operator ops@example.com (viewer)"
    [shown] = lines(listed.stdout)
    assert (shown["email"], shown["role"]) == ("ops@example.com", "admin")
    assert "argon2" not in listed.stdout + listed.stderr
    assert PASSWORD not in added.stdout + added.stderr
    assert removed.returncode == 0
    assert after.stdout.strip() == ""


@pytest.mark.parametrize(
    ("args", "password", "status", "said"),
    [
        (("add", "ops@example.com"), "too short", 2, "password must be 12 to 1024 characters"),
        (("add", "not-an-email"), PASSWORD, 2, "email must be an email address"),
        (("remove", "nobody@example.com"), "", 1, "nobody@example.com is not an operator"),
        (("passwd", "nobody@example.com"), PASSWORD, 1, "nobody@example.com is not an operator"),
    ],
)
def test_a_refusal_is_one_line_and_changes_nothing(  # noqa: PLR0917
    operator: Operator,
    typed: Typed,
    args: tuple[str, ...],
    password: str,
    status: int,
    said: str,
) -> None:
    typed(password)

    refused = operator("operators", *args)

    assert refused.returncode == status
    assert refused.stderr.strip().splitlines()[-1].endswith(said)
    assert operator("operators", "list").stdout.strip() == ""
    assert operator("audit", "list").stdout.strip() == ""


def test_an_email_is_added_once(operator: Operator, typed: Typed) -> None:
    typed(PASSWORD)
    operator("operators", "add", "ops@example.com")
    typed(PASSWORD)

    again = operator("operators", "add", "OPS@example.com")

    assert again.returncode == 1
    assert again.stderr.strip().endswith("ops@example.com exists already")


def test_every_operator_action_from_the_cli_is_in_the_audit_trail(
    sqlite_url: str, operator: Operator, typed: Typed
) -> None:
    user, _ = signed_in(sqlite_url, PRIMARY)
    typed(PASSWORD)
    operator("operators", "add", "ops@example.com")
    operator("users", "disable", user.pb_id)
    operator("users", "enable", user.pb_id)
    operator("users", "disable", "nobody000000000")  # refused: not recorded

    trail = operator("audit", "list")
    theirs = operator("audit", "list", "--target", user.pb_id)
    first = operator("audit", "list", "--limit", "1")
    last = lines(first.stdout)[-1]
    rest = operator("audit", "list", "--before", last["at"], last["id"])

    entries = lines(trail.stdout)
    assert [(e["action"], e["target"]) for e in entries] == [
        ("users.enable", user.pb_id),
        ("users.disable", user.pb_id),
        ("operators.add", "ops@example.com"),
    ]
    assert all(e["actor"].startswith("cli:") and e["address"] == "" for e in entries)
    assert [e["action"] for e in lines(theirs.stdout)] == ["users.enable", "users.disable"]
    assert len(lines(rest.stdout)) == 2
