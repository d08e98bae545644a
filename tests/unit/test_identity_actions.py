"""An operator's identity actions, on the in-memory users and identities."""

from dataclasses import replace
from datetime import timedelta

import pytest

from bai.adapters.memory.identity_store import InMemoryIdentityStore
from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.system.ids import SecretsIdGenerator
from bai.domain.apps import Apps
from bai.domain.entities import User
from bai.domain.errors import (
    ConflictNotFound,
    IdentityRefused,
    InvalidField,
    UnknownApp,
    UserNotFound,
)
from bai.domain.identities import ConflictKind, ConflictState, Identity, IdentityConflict
from bai.domain.identity_matching import IdentityMatching
from bai.domain.use_cases.conflict_actions import (
    DismissConflict,
    ListConflicts,
    ListConflictsCommand,
)
from bai.domain.use_cases.identity_actions import (
    LinkIdentity,
    LinkIdentityCommand,
    ShowIdentities,
    UnlinkIdentity,
    UnlinkIdentityCommand,
)
from bai.domain.user_query import PageSize
from bai.domain.values import WeChatIdentity
from tests.support.builders import a_user
from tests.support.fakes import FixedClock
from tests.support.identity_stores import OTHER, PRIMARY

GONE = "wxretired0000003"
APPS = Apps(PRIMARY, (OTHER,))


@pytest.fixture
def link(
    users: InMemoryUserRepository, identities: InMemoryIdentityStore, clock: FixedClock
) -> LinkIdentity:
    return LinkIdentity(users=users, identities=identities, apps=APPS, clock=clock)


@pytest.fixture
def unlink(identities: InMemoryIdentityStore) -> UnlinkIdentity:
    return UnlinkIdentity(identities=identities, apps=APPS)


async def registered(
    identities: InMemoryIdentityStore, app: str = PRIMARY, *, unionid: str = ""
) -> User:
    """A user who signed in to `app` first (only the primary app's openid is the user's)."""
    user = replace(a_user(), unionid=unionid)
    openid = user.openid if app == PRIMARY else f"o-{app}-{user.pb_id}"
    user = user if app == PRIMARY else replace(user, openid="")
    identity = Identity(appid=app, openid=openid, pb_id=user.pb_id, created=user.created)
    return await identities.register(user, identity)


def conflict_about(user: User, app: str, openid: str, other: User, n: int = 0) -> IdentityConflict:
    return IdentityConflict(
        kind=ConflictKind.UNIONID_TAKEN,
        appid=app,
        openid=openid,
        unionid=f"u-{n}",
        pb_id=user.pb_id,
        other_pb_id=other.pb_id,
        created=user.created + timedelta(minutes=n),
    )


async def openid_in(identities: InMemoryIdentityStore, user: User, app: str) -> str:
    return next(
        each.openid for each in await identities.identities_of(user.pb_id) if each.appid == app
    )


async def test_a_users_identities_are_shown_by_app(
    users: InMemoryUserRepository, identities: InMemoryIdentityStore, link: LinkIdentity
) -> None:
    user = await registered(identities, OTHER)
    await link.execute(LinkIdentityCommand(pb_id=user.pb_id, app=PRIMARY, openid="o-main"))

    shown = await ShowIdentities(users=users, identities=identities).execute(user.pb_id)

    assert [(each.appid, each.openid) for each in shown] == sorted(
        [(PRIMARY, "o-main"), (OTHER, f"o-{OTHER}-{user.pb_id}")]
    )
    with pytest.raises(UserNotFound):
        await ShowIdentities(users=users, identities=identities).execute("nobody000000000")


async def test_conflicts_are_listed_open_and_oldest_first_unless_settled_ones_are_asked_for(
    identities: InMemoryIdentityStore,
) -> None:
    one, two = await registered(identities), await registered(identities)
    crowd = [conflict_about(one, OTHER, f"o-{n}", two, n) for n in range(3)]
    for conflict in reversed(crowd):
        await identities.add_conflict(conflict)
    await DismissConflict(identities=identities).execute(crowd[1].id)
    listing = ListConflicts(identities=identities)

    open_ones = await listing.execute(ListConflictsCommand())
    every = await listing.execute(ListConflictsCommand(settled_too=True))
    first = await listing.execute(ListConflictsCommand(page_size=PageSize(1)))

    assert [each.id for each in open_ones.conflicts] == [crowd[0].id, crowd[2].id]
    assert not open_ones.more
    assert [each.id for each in every.conflicts] == [each.id for each in crowd]
    assert every.conflicts[1].state is ConflictState.DISMISSED
    assert [each.id for each in first.conflicts] == [crowd[0].id]
    assert first.more


async def test_linking_adds_the_identity_and_resolves_the_conflicts_about_it_only(
    identities: InMemoryIdentityStore, link: LinkIdentity
) -> None:
    user, other = await registered(identities), await registered(identities)
    about = conflict_about(other, OTHER, "o-shop", user, 0)
    elsewhere = conflict_about(other, OTHER, "o-else", user, 1)
    await identities.add_conflict(about)
    await identities.add_conflict(elsewhere)

    done = await link.execute(LinkIdentityCommand(pb_id=user.pb_id, app=OTHER, openid="o-shop"))

    assert done.settled == 1
    assert done.identity.pb_id == user.pb_id
    found = await identities.find(OTHER, "o-shop")
    assert found is not None
    assert found[1].pb_id == user.pb_id
    assert found[1].openid == user.openid  # another app's identity leaves the user's openid be
    assert [each.id for each in await identities.conflicts()] == [elsewhere.id]
    resolved = await identities.conflicts(state=ConflictState.RESOLVED)
    assert [each.id for each in resolved] == [about.id]


async def test_linking_the_primary_apps_identity_gives_the_user_its_openid(
    users: InMemoryUserRepository, identities: InMemoryIdentityStore, link: LinkIdentity
) -> None:
    user = await registered(identities, OTHER)

    done = await link.execute(LinkIdentityCommand(pb_id=user.pb_id, app=PRIMARY, openid="o-main"))

    assert done.user.openid == "o-main"
    assert await users.get_by_openid("o-main") == done.user


async def test_a_user_made_before_identities_adopts_its_own_openid(
    users: InMemoryUserRepository, identities: InMemoryIdentityStore, link: LinkIdentity
) -> None:
    user = a_user()
    await users.add_if_absent(user)

    done = await link.execute(
        LinkIdentityCommand(pb_id=user.pb_id, app=PRIMARY, openid=user.openid)
    )

    assert done.user.openid == user.openid
    assert await identities.find(PRIMARY, user.openid) is not None


async def test_an_identity_held_by_a_user_is_refused_naming_that_user(
    users: InMemoryUserRepository, identities: InMemoryIdentityStore, link: LinkIdentity
) -> None:
    holder, newcomer = await registered(identities, OTHER), await registered(identities, OTHER)
    legacy = a_user()  # the primary openid of a user made before identities were kept
    await users.add_if_absent(legacy)
    taken = await openid_in(identities, holder, OTHER)

    with pytest.raises(IdentityRefused) as in_other:
        await link.execute(LinkIdentityCommand(pb_id=newcomer.pb_id, app=OTHER, openid=taken))
    with pytest.raises(IdentityRefused) as in_primary:
        await link.execute(
            LinkIdentityCommand(pb_id=newcomer.pb_id, app=PRIMARY, openid=legacy.openid)
        )

    assert holder.pb_id in in_other.value.reason
    assert legacy.pb_id in in_primary.value.reason
    assert [each.appid for each in await identities.identities_of(newcomer.pb_id)] == [OTHER]


async def test_a_second_identity_in_one_app_is_refused_naming_user_and_app(
    users: InMemoryUserRepository, identities: InMemoryIdentityStore, link: LinkIdentity
) -> None:
    in_other = await registered(identities, OTHER)
    in_primary = await registered(identities)
    legacy = a_user()  # its openid is its primary identity, though none is stored yet
    await users.add_if_absent(legacy)
    for user, app in [(in_other, OTHER), (in_primary, PRIMARY), (legacy, PRIMARY)]:
        with pytest.raises(IdentityRefused) as refused:
            await link.execute(LinkIdentityCommand(pb_id=user.pb_id, app=app, openid="o-second"))
        assert refused.value.reason == (
            f"user {user.pb_id} has an identity in app {app} already: unlink it first"
        )
        assert refused.value.details == {}  # openids stay on the operator's screen
    assert await identities.find(OTHER, "o-second") is None
    assert await identities.find(PRIMARY, "o-second") is None


async def test_unknown_apps_users_and_malformed_openids_are_refused(
    identities: InMemoryIdentityStore, link: LinkIdentity
) -> None:
    user = await registered(identities)

    with pytest.raises(UnknownApp):
        await link.execute(LinkIdentityCommand(pb_id=user.pb_id, app=GONE, openid="o-x"))
    with pytest.raises(UserNotFound):
        await link.execute(LinkIdentityCommand(pb_id="nobody000000000", app=OTHER, openid="o-x"))
    with pytest.raises(InvalidField):
        await link.execute(LinkIdentityCommand(pb_id=user.pb_id, app=OTHER, openid=""))
    assert await identities.find(OTHER, "o-x") is None


async def test_unlinking_removes_the_identity_and_resolves_its_conflicts(
    users: InMemoryUserRepository, identities: InMemoryIdentityStore, unlink: UnlinkIdentity
) -> None:
    user, other = await registered(identities, OTHER), await registered(identities)
    openid = await openid_in(identities, user, OTHER)
    await identities.add_conflict(conflict_about(user, OTHER, openid, other))

    done = await unlink.execute(UnlinkIdentityCommand(app=OTHER, openid=openid))

    assert (done.identity.pb_id, done.settled) == (user.pb_id, 1)
    assert await identities.find(OTHER, openid) is None
    assert await identities.conflicts() == []
    assert await users.get(user.pb_id) is not None  # the user stays, with no identity left


async def test_unlinking_the_primary_apps_identity_takes_the_users_openid(
    users: InMemoryUserRepository, identities: InMemoryIdentityStore, unlink: UnlinkIdentity
) -> None:
    user = await registered(identities)

    await unlink.execute(UnlinkIdentityCommand(app=PRIMARY, openid=user.openid))

    assert await users.get_by_openid(user.openid) is None
    stored = await users.get(user.pb_id)
    assert stored is not None
    assert stored.openid == ""


async def test_an_unknown_identity_is_refused_and_a_retired_apps_can_be_unlinked(
    identities: InMemoryIdentityStore, unlink: UnlinkIdentity
) -> None:
    user = await registered(identities, GONE)  # its app was configured once
    openid = await openid_in(identities, user, GONE)

    with pytest.raises(IdentityRefused):
        await unlink.execute(UnlinkIdentityCommand(app=OTHER, openid=openid))
    done = await unlink.execute(UnlinkIdentityCommand(app=GONE, openid=openid))

    assert done.identity.pb_id == user.pb_id


async def test_a_dismissed_conflict_leaves_the_queue_and_stays_dismissed(
    identities: InMemoryIdentityStore,
) -> None:
    one, two = await registered(identities), await registered(identities)
    conflict = conflict_about(one, OTHER, "o-x", two)
    await identities.add_conflict(conflict)
    dismiss = DismissConflict(identities=identities)

    await dismiss.execute(conflict.id)
    await identities.add_conflict(conflict)  # met again at the next sign-in

    assert await identities.conflicts() == []
    with pytest.raises(ConflictNotFound):
        await dismiss.execute(conflict.id)
    with pytest.raises(ConflictNotFound):
        await dismiss.execute("nosuchconflict0")


async def test_an_operator_moves_an_identity_to_the_user_holding_its_unionid(
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
    link: LinkIdentity,
    unlink: UnlinkIdentity,
    clock: FixedClock,
) -> None:
    holder = await registered(identities, unionid="u-person")
    stray = await registered(identities, OTHER)  # the same person, before apps were bound
    openid = await openid_in(identities, stray, OTHER)
    matching = IdentityMatching(
        identities=identities, users=users, apps=APPS, ids=SecretsIdGenerator(), clock=clock
    )
    person = WeChatIdentity(openid, "u-person")
    assert (await matching.sign_in(OTHER, person, register=True)).user.pb_id == stray.pb_id
    [conflict] = await identities.conflicts()

    await unlink.execute(UnlinkIdentityCommand(app=conflict.appid, openid=conflict.openid))
    await link.execute(
        LinkIdentityCommand(pb_id=conflict.other_pb_id, app=conflict.appid, openid=openid)
    )

    assert (await matching.sign_in(OTHER, person, register=True)).user.pb_id == holder.pb_id
    assert await identities.conflicts() == []
