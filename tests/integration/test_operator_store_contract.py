"""One contract for every `OperatorStore`: memory, SQLite, PostgreSQL (the storage, the
SQLAlchemy store alone, and through PgBouncer) and PocketBase (through BAI's hook) behave
alike. Times are kept to the millisecond, as PocketBase keeps them."""

import asyncio
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from bai.adapters.storage import Storage
from bai.domain.operators import Operator, OperatorRole
from tests.support.identity_stores import backend, backend_url

__all__ = ["backend", "backend_url"]
AT = datetime(2026, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0$" + "h" * 43
_numbers = iter(range(10**6))


def an_operator(email: str = "", *, role: OperatorRole = OperatorRole.ADMIN) -> Operator:
    number = next(_numbers)
    return Operator(
        id=f"o{number:014d}",
        email=email or f"operator-{number}@example.com",
        role=role,
        password_hash=f"{HASH}{number}",
        created=AT,
        updated=AT,
    )


async def test_an_operator_is_kept_whole(backend: Storage) -> None:
    operator = replace(
        an_operator("ops@example.com", role=OperatorRole.VIEWER),
        created=datetime(2026, 5, 6, 15, 8, 7, 1000, tzinfo=timezone(timedelta(hours=8))),
        updated=datetime(2026, 5, 6, 7, 8, 9, 999000, tzinfo=UTC),
    )

    assert await backend.operators.add(operator)

    assert await backend.operators.by_email("ops@example.com") == operator
    assert await backend.operators.all() == [operator]
    assert await backend.operators.count() == 1


async def test_without_operators_nobody_is_found(backend: Storage) -> None:
    assert await backend.operators.by_email("ops@example.com") is None
    assert await backend.operators.all() == []
    assert await backend.operators.count() == 0


async def test_an_email_taken_is_refused_and_changes_nothing(backend: Storage) -> None:
    first = an_operator("ops@example.com")
    await backend.operators.add(first)

    again = replace(an_operator("ops@example.com"), role=OperatorRole.VIEWER)

    assert not await backend.operators.add(again)
    assert await backend.operators.by_email("ops@example.com") == first
    assert await backend.operators.count() == 1


async def test_of_concurrent_adds_of_one_email_exactly_one_keeps_it(backend: Storage) -> None:
    added = await asyncio.gather(
        *(backend.operators.add(an_operator("ops@example.com")) for _ in range(20))
    )

    assert sum(added) == 1
    assert await backend.operators.count() == 1


async def test_operators_are_listed_by_email_in_code_point_order(backend: Storage) -> None:
    emails = ["ab@x.cn", "a.z@x.cn", "a-b@x.cn", "a_b@x.cn", "z@x.cn", "a+1@x.cn", "ä@x.cn"]
    operators = [an_operator(email) for email in random.sample(emails, len(emails))]
    for operator in operators:
        await backend.operators.add(operator)

    listed = await backend.operators.all()

    assert listed == sorted(operators, key=lambda operator: operator.email)
    assert [operator.email for operator in listed] == sorted(emails)
    assert await backend.operators.count() == len(emails)


async def test_a_new_password_changes_the_hash_and_updated_alone(backend: Storage) -> None:
    operator, other = an_operator(), an_operator()
    for each in (operator, other):
        await backend.operators.add(each)
    later = AT + timedelta(hours=1, milliseconds=5)

    assert await backend.operators.set_password(operator.email, "$argon2id$new", updated=later)

    changed = replace(operator, password_hash="$argon2id$new", updated=later)
    assert await backend.operators.by_email(operator.email) == changed
    assert await backend.operators.by_email(other.email) == other


async def test_a_new_role_changes_the_role_and_updated_alone(backend: Storage) -> None:
    operator, other = an_operator(), an_operator()
    for each in (operator, other):
        await backend.operators.add(each)
    later = AT + timedelta(days=2)

    assert await backend.operators.set_role(operator.email, OperatorRole.VIEWER, updated=later)

    changed = replace(operator, role=OperatorRole.VIEWER, updated=later)
    assert await backend.operators.by_email(operator.email) == changed
    assert await backend.operators.by_email(other.email) == other


async def test_changing_an_operator_who_is_not_there_changes_nothing(backend: Storage) -> None:
    operator = an_operator()
    await backend.operators.add(operator)

    assert not await backend.operators.set_password("nobody@example.com", "x", updated=AT)
    assert not await backend.operators.set_role(
        "nobody@example.com", OperatorRole.VIEWER, updated=AT
    )
    assert not await backend.operators.remove("nobody@example.com")

    assert await backend.operators.all() == [operator]


async def test_a_removed_operator_is_gone_and_its_email_free(backend: Storage) -> None:
    operator, other = an_operator("ops@example.com"), an_operator()
    for each in (operator, other):
        await backend.operators.add(each)

    assert await backend.operators.remove("ops@example.com")

    assert await backend.operators.by_email("ops@example.com") is None
    assert await backend.operators.all() == [other]
    assert not await backend.operators.remove("ops@example.com")
    assert await backend.operators.add(an_operator("ops@example.com"))
