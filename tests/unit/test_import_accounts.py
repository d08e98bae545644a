"""`ImportAccounts`' rules, with hand-written fakes of its two ports."""

from collections.abc import Iterator
from dataclasses import replace

from bai.domain.entities import Company, User
from bai.domain.use_cases.import_accounts import ImportAccounts
from bai.ports.account_import import AccountSource, AccountStore, Added, Unreadable
from tests.support.builders import EPOCH, a_user

COMPANY = Company(pb_id="c" * 15, company_id="c-1", created=EPOCH, updated=EPOCH)


class ListSource(AccountSource):
    def __init__(self, users: list[User | Unreadable], companies: list[Company]) -> None:
        self._users, self._companies = users, companies

    @property
    def collection_id(self) -> str:
        return "pbc_1"

    def token_secret(self) -> str:
        return "s" * 50

    def user_total(self) -> int:
        return len(self._users)

    def companies(self, batch_size: int) -> Iterator[list[Company | Unreadable]]:
        yield list(self._companies)

    def users(self, batch_size: int) -> Iterator[list[User | Unreadable]]:
        for start in range(0, len(self._users), batch_size):
            yield self._users[start : start + batch_size]


class DictStore(AccountStore):
    """Keeps records by id; refuses a user whose openid another user holds."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.companies: dict[str, Company] = {}
        self.order: list[str] = []

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
