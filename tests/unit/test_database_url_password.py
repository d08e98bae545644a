"""No part of a database password is ever shown, whatever the URL's shape: a URL is either read
as it was meant (and shown with `***` for the password) or refused without quoting it."""

from urllib.parse import quote, unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from bai.adapters.pocketbase.client import target_of
from bai.entrypoints.config.database_urls import shown_storage
from bai.entrypoints.config.settings import SettingsError, load_settings

SQL = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
SQL["postgresql+asyncpg"] = "postgresql+asyncpg"
POCKETBASE = {"pocketbase": "http", "pocketbase+https": "https"}
# Characters that occur nowhere else in a URL or a message: where one shows, the password shows.
MARKERS = "жΩ鍵"
HOSTILE = "@:/#?%&=+;[]!$'()*,~ -._"
TEXT = st.text("abcXYZ019" + HOSTILE + MARKERS, max_size=12)
PASSWORDS = st.tuples(TEXT, st.sampled_from(MARKERS), TEXT).map("".join)


def leaked(password: str, text: str) -> list[str]:
    return [
        mark for char in password if char in MARKERS for mark in (char, quote(char)) if mark in text
    ]


def outcome(url: str) -> tuple[str, str | None]:
    """What an operator reads of `url`: the refusal, or how the store is named."""
    try:
        used = load_settings({"BAI_DATABASE_URL": url}, signs_tokens=False).database_url
    except SettingsError as exc:
        return str(exc), None
    return shown_storage(used), used


@settings(max_examples=400, deadline=None)
@given(
    scheme=st.sampled_from([*SQL, *POCKETBASE]),
    user=st.sampled_from(["postgres", "bai%40example.com"]),
    password=PASSWORDS,
    encoded=st.booleans(),
    host=st.sampled_from(["127.0.0.1", "db.internal"]),
    port=st.integers(1, 65535),
)
def test_a_url_is_read_as_meant_and_shown_without_password_or_refused_without_it(
    scheme: str, user: str, password: str, *, encoded: bool, host: str, port: int
) -> None:
    typed = quote(password, safe="") if encoded else password
    url = f"{scheme}://{user}:{typed}@{host}:{port}" + ("/bai" if scheme in SQL else "")

    text, used = outcome(url)

    assert not leaked(password, text), text
    if used is None:
        assert encoded is False  # only an unencoded password may make a URL unreadable
    elif scheme in SQL:
        parsed = make_url(used)
        assert (parsed.password, parsed.host, parsed.port) == (unquote(typed), host, port)
        assert text == f"{SQL[scheme]}://{user}:***@{host}:{port}/bai"
    else:
        target = target_of(used)
        assert (target.password, target.email) == (unquote(typed), unquote(user))
        assert target.base_url == f"{POCKETBASE[scheme]}://{host}:{port}"
        assert text == f"{scheme}://{user}:***@{host}:{port}"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres:pa@ssword-secret@127.0.0.1:5432/bai",
        "postgresql://postgres:pa@ss:word-secret@127.0.0.1:5432/bai",
        "postgresql://postgres:pa@ss/word-secret@127.0.0.1:5432/bai",
        "postgresql+asyncpg:postgres:password-secret@127.0.0.1:5432/bai",
        "pocketbase://bai%40example.com:12/word-secret@127.0.0.1:8090",
        "password-secret",
    ],
)
def test_a_url_that_cannot_be_read_as_meant_is_refused_without_quoting_it(url: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"BAI_DATABASE_URL": url}, signs_tokens=False)

    assert "secret" not in str(refused.value)
    assert "word" not in str(refused.value).replace("password", "")
