"""`ImportAccounts`' rules, with hand-written fakes of its two ports."""

from dataclasses import fields, replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bai.domain.entities import Company, User
from bai.domain.identities import Identity
from bai.domain.sessions import Session
from bai.domain.use_cases.import_accounts import REPEATED_ID, ImportAccounts
from bai.ports.account_import import AccountStore, Added, Unreadable
from tests.support.account_sources import ListSource
from tests.support.builders import EPOCH, a_user

COMPANY = Company(pb_id="c" * 15, company_id="c-1", created=EPOCH, updated=EPOCH)
KEYS = {"pb_id", "token_key"}  # checked by `User` itself


class DictStore(AccountStore):
    """Keeps records by id; refuses a user whose openid another user holds."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.companies: dict[str, Company] = {}
        self.order: list[str] = []
        self.sessions: list[Session] = []

    async def add_companies(self, companies: list[Company]) -> Added:
        self.order.append("companies")
        new = [company for company in companies if company.pb_id not in self.companies]
        self.companies |= {company.pb_id: company for company in new}
        return Added(added=len(new), present=len(companies) - len(new))

    async def add_users(self, users: list[User]) -> Added:
        self.order.append("users")
        added, present, refused = 0, 0, []
        for user in users:
            if user.pb_id in self.users:
                present += 1
            elif any(held.openid == user.openid for held in self.users.values()):
                refused.append(Unreadable(user.pb_id, "taken"))
            else:
                self.users[user.pb_id] = user
                added += 1
        return Added(added=added, present=present, refused=refused)

    async def add_identities(self, identities: list[Identity]) -> Added:
        self.order.append("identities")
        return Added(added=len(identities))

    async def add_sessions(self, sessions: list[Session]) -> Added:
        self.order.append("sessions")
        self.sessions += sessions
        return Added(added=len(sessions))


async def test_every_account_is_copied_as_it_is_companies_first() -> None:
    users = [a_user() for _ in range(5)]
    store = DictStore()
    handled: list[int] = []

    report = await ImportAccounts(store=store, batch_size=2).execute(
        ListSource(list(users), [COMPANY]), progress=handled.append
    )

    assert store.users == {user.pb_id: user for user in users}
    assert store.companies == {COMPANY.pb_id: COMPANY}
    assert store.order[0] == "companies"
    assert (report.users.added, report.users.present, report.users.refused) == (5, 0, [])
    assert report.collection_id == "pbc_1"
    assert handled == [2, 2, 1]


async def test_a_second_run_changes_nothing() -> None:
    users: list[User | Unreadable] = [a_user() for _ in range(3)]
    store = DictStore()
    importer = ImportAccounts(store=store)
    await importer.execute(ListSource(users, [COMPANY]))
    before = dict(store.users)

    report = await importer.execute(ListSource(users, [COMPANY]))

    assert store.users == before
    assert (report.users.added, report.users.present) == (0, 3)
    assert (report.companies.added, report.companies.present) == (0, 1)


async def test_unreadable_and_colliding_records_are_named_and_the_rest_copied() -> None:
    first = a_user(openid="same")
    twin = replace(a_user(), openid="same")
    broken = Unreadable("brokenrecord123", "users_status has a value BAI does not know")
    store = DictStore()

    report = await ImportAccounts(store=store).execute(ListSource([first, broken, twin], []))

    assert list(store.users) == [first.pb_id]
    assert report.users.refused == [broken, Unreadable(twin.pb_id, "taken")]


USER_TEXT = [one.name for one in fields(User) if one.type is str and one.name not in KEYS]
COMPANY_TEXT = [one.name for one in fields(Company) if one.type is str and one.name != "pb_id"]


@given(
    user_field=st.sampled_from(USER_TEXT),
    company_field=st.sampled_from(COMPANY_TEXT),
    around=st.tuples(st.text(max_size=5), st.text(max_size=5)),
)
async def test_a_record_holding_nul_in_any_text_field_is_refused_by_id_and_the_rest_copied(
    user_field: str, company_field: str, around: tuple[str, str]
) -> None:
    nul = "\0".join(around)
    user_change: dict[str, Any] = {user_field: nul}
    company_change: dict[str, Any] = {company_field: nul, "pb_id": "d" * 15}
    users = [a_user(), replace(a_user(), **user_change), a_user()]
    spoiled = replace(COMPANY, **company_change)
    store = DictStore()

    report = await ImportAccounts(store=store).execute(ListSource(list(users), [spoiled, COMPANY]))

    assert set(store.users) == {users[0].pb_id, users[2].pb_id}
    assert store.companies == {COMPANY.pb_id: COMPANY}
    reason = f"{user_field} holds U+0000 (NUL), which BAI does not keep"
    assert report.users.refused == [Unreadable(users[1].pb_id, reason)]
    assert [one.record_id for one in report.companies.refused] == [spoiled.pb_id]


async def test_each_record_of_a_repeated_id_is_counted_once_on_every_run() -> None:
    first, other = a_user(), a_user()
    repeat = replace(a_user(), pb_id=first.pb_id)
    unreadable = Unreadable(first.pb_id, "users_status has a value BAI does not know")
    source = ListSource([first, other, repeat, unreadable], [COMPANY, COMPANY])
    store = DictStore()
    importer = ImportAccounts(store=store, batch_size=2)

    runs = [await importer.execute(source), await importer.execute(source)]

    assert store.users == {first.pb_id: first, other.pb_id: other}
    repeated = [Unreadable(first.pb_id, REPEATED_ID)] * 2
    assert [(run.users.added, run.users.present) for run in runs] == [(2, 0), (0, 2)]
    assert [run.users.refused for run in runs] == [repeated, repeated]
    assert [run.companies.refused for run in runs] == [[Unreadable(COMPANY.pb_id, REPEATED_ID)]] * 2


@given(picks=st.lists(st.integers(0, 4), max_size=12), size=st.integers(1, 4))
async def test_every_record_is_added_already_there_or_refused_exactly_once(
    picks: list[int], size: int
) -> None:
    pool: list[User | Unreadable] = [a_user() for _ in range(3)]
    pool += [Unreadable("x" * 15, "broken"), replace(a_user(), users_name="\0")]
    records = [pool[pick] for pick in picks]
    store = DictStore()

    report = await ImportAccounts(store=store, batch_size=size).execute(ListSource(records, []))

    users = report.users
    assert users.added + users.present + len(users.refused) == len(records)
