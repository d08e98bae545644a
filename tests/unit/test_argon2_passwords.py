"""Operators' passwords: Argon2id hashes that verify the password hashed and nothing else, a
hash BAI cannot read is a refusal, never an exception, and hashing never holds up the event
loop (the requests a worker serves meanwhile)."""

import asyncio
import contextlib
import threading
import time
from dataclasses import replace
from typing import Any

import pytest
from argon2 import Type, extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from argon2.profiles import get_default_parameters as argon2_defaults
from hypothesis import assume, given
from hypothesis import strategies as st

from bai.adapters.system.argon2_passwords import Argon2PasswordHasher
from tests.support.passwords import CHEAP, cheap_hasher


class Sync:
    """The hasher awaited, for tests of its values."""

    def __init__(self, hasher: Argon2PasswordHasher) -> None:
        self.hasher = hasher

    def hash(self, password: str) -> str:
        return asyncio.run(self.hasher.hash(password))

    def verify(self, password_hash: str, password: str) -> bool:
        return asyncio.run(self.hasher.verify(password_hash, password))

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.needs_rehash(password_hash)


hasher = Sync(cheap_hasher())
HASHED = hasher.hash("correct horse battery staple")
positions = st.integers(0, len(HASHED) - 1)
any_text = st.text(st.characters(exclude_categories=()))  # lone surrogates too


@given(password=st.text())
def test_any_password_verifies_against_its_own_hash(password: str) -> None:
    hashed = hasher.hash(password)

    assert hashed.startswith("$argon2id$v=19$")
    assert hasher.verify(hashed, password)
    assert not hasher.needs_rehash(hashed)


@given(password=st.text(), other=st.text())
def test_any_other_password_fails(password: str, other: str) -> None:
    assume(other != password)

    assert not hasher.verify(hasher.hash(password), other)


@given(text=any_text)
def test_any_text_as_a_hash_is_refused_without_an_exception(text: str) -> None:
    assert not hasher.verify(text, "correct horse battery staple")
    assert hasher.needs_rehash(text)


@given(
    cut=st.integers(0, len(HASHED) - 1), at=st.integers(0, len(HASHED) - 1), char=st.characters()
)
def test_a_hash_cut_short_or_altered_anywhere_is_refused(cut: int, at: int, char: str) -> None:
    altered = HASHED[:at] + char + HASHED[at + 1 :]
    assume(altered != HASHED)

    assert not hasher.verify(HASHED[:cut], "correct horse battery staple")
    assert not hasher.verify(altered, "correct horse battery staple")


def test_the_same_password_hashes_differently_each_time() -> None:
    first, second = hasher.hash("pw"), hasher.hash("pw")

    assert first != second
    assert hasher.verify(first, "pw")
    assert hasher.verify(second, "pw")


def test_bai_hashes_with_the_rfc_9106_low_memory_profile() -> None:
    hashed = Sync(Argon2PasswordHasher()).hash("correct horse battery staple")

    assert argon2_defaults() == RFC_9106_LOW_MEMORY
    assert extract_parameters(hashed) == RFC_9106_LOW_MEMORY
    assert hashed.startswith("$argon2id$")


def test_a_hash_made_under_other_parameters_verifies_and_needs_rehashing() -> None:
    today = Sync(Argon2PasswordHasher())

    assert today.verify(HASHED, "correct horse battery staple")
    assert today.needs_rehash(HASHED)
    assert not hasher.needs_rehash(HASHED)


def test_another_argon2_variant_is_not_how_bai_hashes() -> None:
    with pytest.raises(ValueError, match="Argon2id"):
        Argon2PasswordHasher(replace(CHEAP, type=Type.I))


async def test_hashing_and_checking_leave_the_event_loop_free() -> None:
    slow = Argon2PasswordHasher()  # 64 MiB, several passes: tens of milliseconds each
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    ticker = asyncio.create_task(ticking())
    hashed = await slow.hash("correct horse battery staple")
    during_hash, ticks = ticks, 0
    verified = await asyncio.gather(*(slow.verify(hashed, "wrong password") for _ in range(3)))
    ticker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ticker

    assert verified == [False] * 3
    assert during_hash > 10
    assert ticks > 10


async def test_no_more_than_two_hashes_run_at_once_whatever_the_callers_do() -> None:
    hasher = cheap_hasher()

    class Counting:
        """argon2's hasher, counting the hashes made at once."""

        def __init__(self, inner: Any) -> None:
            self.inner, self.running, self.most = inner, 0, 0
            self.lock = threading.Lock()

        def hash(self, password: str) -> str:
            with self.lock:
                self.running += 1
                self.most = max(self.most, self.running)
            time.sleep(0.01)
            with self.lock:
                self.running -= 1
            return str(self.inner.hash(password))

    counting = Counting(hasher._argon2)
    hasher._argon2 = counting  # type: ignore[assignment]
    abandoned = [asyncio.create_task(hasher.hash(f"p{n}")) for n in range(6)]
    await asyncio.sleep(0)
    for task in abandoned:  # callers that gave up: their hashes still take their turns
        task.cancel()
    await asyncio.gather(*(hasher.hash(f"q{n}") for n in range(6)))

    assert counting.most == 2
