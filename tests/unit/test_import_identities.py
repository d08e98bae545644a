"""`ImportAccounts` copies the users' identities, where the source keeps them (BAI beside a
PocketBase kept them there), after the users; with hand-written fakes of its two ports."""

from dataclasses import replace

from bai.domain.entities import Company, User
from bai.domain.identities import Identity
from bai.domain.sessions import Session
from bai.domain.use_cases.import_accounts import ImportAccounts
from bai.ports.account_import import (
    AccountStore,
    Added,
    Unreadable,
    identity_name,
)
from tests.support.account_sources import ListSource
from tests.support.builders import EPOCH, a_user

APP, OTHER_APP = "wxprimary", "wxother"


def an_identity(user: User, appid: str = APP, openid: str = "") -> Identity:
    return Identity(
        appid=appid, openid=openid or f"o-{appid}-{user.pb_id}", pb_id=user.pb_id, created=EPOCH
    )


class DictStore(AccountStore):
    """Keeps users by id, and identities by (app, openid), one per user and app, for users it
    holds."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.identities: dict[tuple[str, str], Identity] = {}
        self.order: list[str] = []

    async def add_companies(self, companies: list[Company]) -> Added:
        return Added()

    async def add_users(self, users: list[User]) -> Added:
        self.order.append("users")
        new = [user for user in users if user.pb_id not in self.users]
        self.users |= {user.pb_id: user for user in new}
        return Added(added=len(new), present=len(users) - len(new))

    async def add_sessions(self, sessions: list[Session]) -> Added:
        return Added(added=len(sessions))

    async def add_identities(self, identities: list[Identity]) -> Added:
        self.order.append("identities")
        added, present, refused = 0, 0, []
        for identity in identities:
            held = self.identities.get((identity.appid, identity.openid))
            per_app = {(each.pb_id, each.appid) for each in self.identities.values()}
            if held == identity:
                present += 1
            elif (
                identity.pb_id not in self.users
                or held is not None
                or (identity.pb_id, identity.appid) in per_app
            ):
                refused.append(Unreadable(identity_name(identity), "taken"))
            else:
                self.identities[(identity.appid, identity.openid)] = identity
                added += 1
        return Added(added=added, present=present, refused=refused)


async def test_identities_are_copied_after_their_users_and_a_second_run_changes_nothing() -> None:
    users = [a_user(), a_user()]
    identities: list[Identity | Unreadable] = [
        an_identity(users[0]),
        an_identity(users[0], OTHER_APP),
        an_identity(users[1], OTHER_APP),
    ]
    store = DictStore()
    importer = ImportAccounts(store=store, batch_size=2)

    first = await importer.execute(ListSource(users, identities=identities))
    again = await importer.execute(ListSource(users, identities=identities))

    assert list(store.identities.values()) == identities
    assert store.order[:3] == ["users", "identities", "identities"]
    assert (first.identities.added, first.identities.present, first.identities.refused) == (
        3,
        0,
        [],
    )
    assert (again.identities.added, again.identities.present) == (0, 3)


async def test_an_identity_the_store_cannot_take_is_named_by_user_and_app() -> None:
    user, stranger = a_user(), a_user()
    kept = an_identity(user)
    of_nobody = an_identity(stranger)  # its user is not imported
    second_in_app = an_identity(user, openid="o-another")
    broken = Unreadable("r" * 15, "appid or openid is empty")
    store = DictStore()

    report = await ImportAccounts(store=store).execute(
        ListSource([user], identities=[kept, of_nobody, broken, second_in_app])
    )

    assert list(store.identities.values()) == [kept]
    assert report.identities.refused == [
        broken,
        Unreadable(f"{stranger.pb_id} in {APP}", "taken"),
        Unreadable(f"{user.pb_id} in {APP}", "taken"),
    ]
    assert all("o-" not in one.record_id for one in report.identities.refused)  # no openid


async def test_an_identity_holding_nul_is_refused_and_a_repeat_counted_once() -> None:
    user = a_user()
    spoiled = replace(an_identity(user), unionid="u\0")
    kept = an_identity(user, OTHER_APP)
    store = DictStore()

    report = await ImportAccounts(store=store).execute(
        ListSource([user], identities=[spoiled, kept, kept])
    )

    assert list(store.identities.values()) == [kept]
    assert [one.reason for one in report.identities.refused] == [
        "unionid holds U+0000 (NUL), which BAI does not keep",
        "an earlier record of the source has the same id",
    ]
