"""Operators' accounts and sign-in on the memory stores (SPEC "The operator console"): Argon2id
hashes, the lockout per email and per address, the same refusal for a wrong email or password,
and the audit trail of every change."""

import asyncio
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bai.adapters.memory.audit_trail import InMemoryAuditTrail
from bai.adapters.memory.failed_attempts import InMemoryFailedAttempts
from bai.adapters.memory.operator_store import InMemoryOperatorStore
from bai.adapters.system.argon2_passwords import Argon2PasswordHasher
from bai.adapters.system.ids import SecretsIdGenerator
from bai.domain.errors import (
    InvalidField,
    OperatorExists,
    OperatorLocked,
    OperatorNotFound,
    OperatorSignInRefused,
)
from bai.domain.operators import OperatorRole
from bai.domain.use_cases.operator_accounts import (
    Actor,
    AuditLog,
    OperatorAccounts,
    OperatorSignIn,
    operator_email,
)
from bai.ports.password_hasher import PasswordHasher
from tests.support.fakes import FixedClock
from tests.support.passwords import CHEAP, cheap_hasher

PASSWORD = "correct horse battery staple"
ROOT = Actor("cli:root")


@pytest.fixture
def operators() -> InMemoryOperatorStore:
    return InMemoryOperatorStore()


@pytest.fixture
def trail() -> InMemoryAuditTrail:
    return InMemoryAuditTrail()


@pytest.fixture
def audit(trail: InMemoryAuditTrail, clock: FixedClock) -> AuditLog:
    return AuditLog(trail=trail, ids=SecretsIdGenerator(), clock=clock)


@pytest.fixture
def accounts(
    operators: InMemoryOperatorStore, audit: AuditLog, clock: FixedClock
) -> OperatorAccounts:
    return OperatorAccounts(
        operators=operators,
        hasher=cheap_hasher(),
        audit=audit,
        ids=SecretsIdGenerator(),
        clock=clock,
    )


def signing_in(
    hasher: PasswordHasher, operators: InMemoryOperatorStore, audit: AuditLog, clock: FixedClock
) -> OperatorSignIn:
    attempts = InMemoryFailedAttempts(clock)
    return OperatorSignIn(
        operators=operators, hasher=hasher, attempts=attempts, audit=audit, clock=clock
    )


@pytest.fixture
def sign_in(operators: InMemoryOperatorStore, audit: AuditLog, clock: FixedClock) -> OperatorSignIn:
    return signing_in(cheap_hasher(), operators, audit, clock)


async def test_an_added_operator_signs_in_with_their_password_alone(
    accounts: OperatorAccounts, sign_in: OperatorSignIn
) -> None:
    added = await accounts.add(ROOT, " Ops@Example.COM ", PASSWORD, OperatorRole.VIEWER)

    signed_in = await sign_in.execute("ops@example.com", PASSWORD, address="127.0.0.1")

    assert signed_in.id == added.id
    assert (added.email, added.role) == ("ops@example.com", OperatorRole.VIEWER)
    assert added.password_hash.startswith("$argon2id$")
    assert PASSWORD not in added.password_hash
    with pytest.raises(OperatorSignInRefused):
        await sign_in.execute("ops@example.com", PASSWORD + "x", address="127.0.0.1")


async def test_a_wrong_email_and_a_wrong_password_are_refused_alike(
    accounts: OperatorAccounts, sign_in: OperatorSignIn
) -> None:
    await accounts.add(ROOT, "ops@example.com", PASSWORD, OperatorRole.ADMIN)

    with pytest.raises(OperatorSignInRefused) as unknown:
        await sign_in.execute("nobody@example.com", PASSWORD, address="10.0.0.1")
    with pytest.raises(OperatorSignInRefused) as wrong:
        await sign_in.execute("ops@example.com", "wrong password!", address="10.0.0.2")

    assert unknown.value.message == wrong.value.message


async def test_five_wrong_passwords_lock_the_email_for_fifteen_minutes(
    accounts: OperatorAccounts, sign_in: OperatorSignIn, clock: FixedClock
) -> None:
    await accounts.add(ROOT, "ops@example.com", PASSWORD, OperatorRole.ADMIN)
    for n in range(5):
        with pytest.raises(OperatorSignInRefused):
            await sign_in.execute("ops@example.com", "wrong password!", address=f"10.0.0.{n}")

    with pytest.raises(OperatorLocked) as locked:
        await sign_in.execute("ops@example.com", PASSWORD, address="10.0.0.99")
    clock.advance(15 * 60 + 1)
    after = await sign_in.execute("ops@example.com", PASSWORD, address="10.0.0.99")

    assert locked.value.retry_after == 15 * 60
    assert after.email == "ops@example.com"


async def test_five_failures_from_an_address_lock_it_for_every_email(
    accounts: OperatorAccounts, sign_in: OperatorSignIn
) -> None:
    await accounts.add(ROOT, "ops@example.com", PASSWORD, OperatorRole.ADMIN)
    for n in range(5):
        with pytest.raises(OperatorSignInRefused):
            await sign_in.execute(f"guess{n}@example.com", PASSWORD, address="203.0.113.9")

    with pytest.raises(OperatorLocked):
        await sign_in.execute("ops@example.com", PASSWORD, address="203.0.113.9")
    assert await sign_in.execute("ops@example.com", PASSWORD, address="203.0.113.10")


async def test_each_change_is_in_the_audit_trail_and_refusals_are_not(
    accounts: OperatorAccounts, sign_in: OperatorSignIn, audit: AuditLog, clock: FixedClock
) -> None:
    await accounts.add(ROOT, "ops@example.com", PASSWORD, OperatorRole.ADMIN)
    with pytest.raises(OperatorExists):
        await accounts.add(ROOT, "OPS@example.com", PASSWORD, OperatorRole.ADMIN)
    clock.advance(1)
    await accounts.change_role(ROOT, "ops@example.com", OperatorRole.VIEWER)
    clock.advance(1)
    await accounts.change_password(ROOT, "ops@example.com", PASSWORD + "!")
    clock.advance(1)
    await sign_in.execute("ops@example.com", PASSWORD + "!", address="127.0.0.1")
    clock.advance(1)
    await accounts.remove(ROOT, "ops@example.com")
    with pytest.raises(OperatorNotFound):
        await accounts.remove(ROOT, "ops@example.com")

    entries = await audit.recent(limit=10)

    assert [(e.action, e.actor) for e in reversed(entries)] == [
        ("operators.add", "cli:root"),
        ("operators.role", "cli:root"),
        ("operators.passwd", "cli:root"),
        ("console.sign-in", "ops@example.com"),
        ("operators.remove", "cli:root"),
    ]
    assert all(PASSWORD not in e.detail for e in entries)


@pytest.mark.parametrize("password", ["", "short", "x" * 11, "x" * 1025])
async def test_a_password_out_of_bounds_is_refused(
    accounts: OperatorAccounts, password: str
) -> None:
    with pytest.raises(InvalidField) as refused:
        await accounts.add(ROOT, "ops@example.com", password, OperatorRole.ADMIN)

    assert refused.value.field == "password"

    assert await accounts.all() == []


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_any_text_is_an_operators_email_lower_cased_or_refused(text: str) -> None:
    try:
        email = operator_email(text)
    except InvalidField:
        return
    local, _, domain = email.partition("@")
    assert local
    assert domain
    assert "@" not in domain
    assert email == email.lower() == email.strip()
    assert not any(char.isspace() for char in email)


class CountingHasher:
    """The tests' hasher, counting the passwords it checks."""

    def __init__(self) -> None:
        self.inner, self.checked = cheap_hasher(), 0

    async def hash(self, password: str) -> str:
        return await self.inner.hash(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        self.checked += 1
        return await self.inner.verify(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self.inner.needs_rehash(password_hash)


@pytest.mark.parametrize("spread", ["one address", "many addresses"])
async def test_of_guesses_sent_at_once_no_more_than_five_are_checked(
    accounts: OperatorAccounts,
    operators: InMemoryOperatorStore,
    audit: AuditLog,
    clock: FixedClock,
    spread: str,
) -> None:
    await accounts.add(ROOT, "ops@example.com", PASSWORD, OperatorRole.ADMIN)
    hasher = CountingHasher()
    sign_in = signing_in(hasher, operators, audit, clock)

    async def guess(n: int) -> str:
        address = "203.0.113.9" if spread == "one address" else f"10.9.{n}.1"
        try:
            await sign_in.execute("ops@example.com", f"guess {n:04d} wrong", address=address)
        except (OperatorSignInRefused, OperatorLocked) as refused:
            return type(refused).__name__
        return "signed in"

    answers = await asyncio.gather(*(guess(n) for n in range(40)))

    assert hasher.checked == 5
    assert sorted(set(answers)) == ["OperatorLocked", "OperatorSignInRefused"]


async def test_a_successful_sign_in_is_not_counted_against_its_address(
    accounts: OperatorAccounts, sign_in: OperatorSignIn
) -> None:
    await accounts.add(ROOT, "ops@example.com", PASSWORD, OperatorRole.ADMIN)

    for _ in range(12):  # an office's operators, signing in all day from one address
        await sign_in.execute("ops@example.com", PASSWORD, address="192.0.2.1")


async def test_a_right_password_does_not_wipe_guesses_at_others_from_its_address(
    accounts: OperatorAccounts, sign_in: OperatorSignIn
) -> None:
    await accounts.add(ROOT, "viewer@example.com", PASSWORD, OperatorRole.VIEWER)
    answers = []
    for n in range(6):  # a viewer's own sign-in between guesses at other emails
        for email, password in (("viewer@example.com", PASSWORD), (f"a{n}@example.com", "x")):
            try:
                await sign_in.execute(email, password, address="192.0.2.7")
                answers.append("signed in")
            except (OperatorSignInRefused, OperatorLocked) as refusal:
                answers.append(type(refusal).__name__)

    assert answers[:10] == ["signed in", "OperatorSignInRefused"] * 5
    assert answers[10:] == ["OperatorLocked"] * 2  # the address, for everyone


async def test_a_rehashed_operators_first_session_holds(
    operators: InMemoryOperatorStore, audit: AuditLog, clock: FixedClock
) -> None:
    added = await OperatorAccounts(
        operators=operators,
        hasher=cheap_hasher(),
        audit=audit,
        ids=SecretsIdGenerator(),
        clock=clock,
    ).add(ROOT, "ops@example.com", PASSWORD, OperatorRole.ADMIN)
    clock.advance(60)
    stronger = Argon2PasswordHasher(replace(CHEAP, time_cost=2))
    sign_in = signing_in(stronger, operators, audit, clock)

    signed_in = await sign_in.execute("ops@example.com", PASSWORD, address="127.0.0.1")

    assert signed_in == await operators.by_email("ops@example.com")
    assert signed_in.updated > added.updated  # the cookie carries the `updated` now stored
