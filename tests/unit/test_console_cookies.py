"""The console's session cookie and CSRF token (SPEC "The operator console"): signed, bounded
by 12 idle hours and 7 days, and nothing a client makes up is a session."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bai.entrypoints.http.console.cookies import ConsoleCookies, ConsoleSession

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
COOKIES = ConsoleCookies(b"a token secret of at least thirty bytes!")


def a_session(*, began: datetime = NOW, seen: datetime = NOW) -> ConsoleSession:
    return ConsoleSession("ops@example.com", 1_700_000_000.5, began.timestamp(), seen.timestamp())


def test_a_session_reads_back_as_issued() -> None:
    session = a_session()

    assert COOKIES.read(COOKIES.issue(session), now=NOW) == session


def test_twelve_idle_hours_or_seven_days_end_a_session() -> None:
    idle = COOKIES.issue(a_session(seen=NOW - timedelta(hours=12, seconds=1)))
    old = COOKIES.issue(a_session(began=NOW - timedelta(days=7, seconds=1)))
    busy = COOKIES.issue(a_session(began=NOW - timedelta(days=6), seen=NOW - timedelta(hours=11)))

    assert COOKIES.read(idle, now=NOW) is None
    assert COOKIES.read(old, now=NOW) is None
    assert COOKIES.read(busy, now=NOW) is not None


def test_another_keys_cookie_is_no_session() -> None:
    other = ConsoleCookies(b"another token secret of thirty bytes or more")

    assert COOKIES.read(other.issue(a_session()), now=NOW) is None


@given(st.text(max_size=300))
def test_no_made_up_cookie_is_a_session(value: str) -> None:
    assert COOKIES.read(value, now=NOW) is None


@given(st.integers(min_value=0, max_value=200), st.characters())
def test_a_cookie_changed_anywhere_is_no_session(position: int, char: str) -> None:
    cookie = COOKIES.issue(a_session())
    at = position % len(cookie)
    changed = cookie[:at] + char + cookie[at + 1 :]

    assert changed == cookie or COOKIES.read(changed, now=NOW) is None


def test_a_forms_token_holds_for_its_session_alone_while_its_cookie_is_renewed() -> None:
    mine = a_session()
    renewed = a_session(seen=NOW + timedelta(hours=1))
    theirs = a_session(began=NOW - timedelta(seconds=1))
    token = COOKIES.session_csrf(mine)

    assert COOKIES.token_holds(COOKIES.session_csrf(renewed), token)
    assert not COOKIES.token_holds(COOKIES.session_csrf(theirs), token)
    assert not COOKIES.token_holds(token, None)
    assert not COOKIES.token_holds(token, "")


def test_a_sign_in_forms_token_holds_for_its_own_cookie_alone() -> None:
    assert COOKIES.token_holds(COOKIES.csrf("mine"), COOKIES.csrf("mine"))
    assert not COOKIES.token_holds(COOKIES.csrf("mine"), COOKIES.csrf("theirs"))
