"""An operator's moves of a conflict's identity to the user holding its unionid (the
console's link, `bai identities link-conflict`), on the in-memory users and identities: every
rule checked before anything moves."""

from dataclasses import replace

import pytest

from bai.adapters.memory.identity_store import InMemoryIdentityStore
from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.domain.apps import Apps
from bai.domain.errors import ConflictNotFound, IdentityRefused, UnknownApp, UserNotFound
from bai.domain.use_cases.conflict_actions import DismissConflict, LinkConflict, MoveIdentity
from bai.domain.use_cases.identity_actions import (
    LinkIdentity,
    LinkIdentityCommand,
    UnlinkIdentity,
)
from tests.support.builders import a_user
from tests.support.fakes import FixedClock
from tests.support.identity_stores import OTHER, PRIMARY
from tests.unit.test_identity_actions import APPS, GONE, conflict_about, registered


@pytest.fixture
def move(
    users: InMemoryUserRepository, identities: InMemoryIdentityStore, clock: FixedClock
) -> MoveIdentity:
    link = LinkIdentity(users=users, identities=identities, apps=APPS, clock=clock)
    unlink = UnlinkIdentity(identities=identities, apps=APPS)
    return MoveIdentity(identities=identities, unlink=unlink, link=link)


async def test_a_conflicts_identity_moves_to_the_unionids_holder(
    identities: InMemoryIdentityStore, move: MoveIdentity
) -> None:
    holder, shopper = await registered(identities), await registered(identities, OTHER)
    openid = f"o-{OTHER}-{shopper.pb_id}"
    await identities.add_conflict(conflict_about(shopper, OTHER, openid, holder))

    moved = await move.execute(LinkIdentityCommand(pb_id=holder.pb_id, app=OTHER, openid=openid))

    assert moved.identity.pb_id == holder.pb_id
    assert moved.settled == 1
    assert [each.appid for each in await identities.identities_of(holder.pb_id)] == sorted(
        [PRIMARY, OTHER]
    )
    assert await identities.identities_of(shopper.pb_id) == []


async def test_a_move_that_breaks_a_rule_moves_nothing(
    identities: InMemoryIdentityStore, move: MoveIdentity
) -> None:
    shopper, other_shopper = (
        await registered(identities, OTHER),
        await registered(identities, OTHER),
    )
    openid = f"o-{OTHER}-{shopper.pb_id}"
    kept = await identities.identities_of(shopper.pb_id)

    with pytest.raises(IdentityRefused):  # the target has an identity in that app
        await move.execute(LinkIdentityCommand(pb_id=other_shopper.pb_id, app=OTHER, openid=openid))
    with pytest.raises(IdentityRefused):  # the holder already
        await move.execute(LinkIdentityCommand(pb_id=shopper.pb_id, app=OTHER, openid=openid))
    with pytest.raises(UserNotFound):
        await move.execute(LinkIdentityCommand(pb_id="nobody000000000", app=OTHER, openid=openid))
    with pytest.raises(IdentityRefused):  # nobody holds it
        await move.execute(LinkIdentityCommand(pb_id=shopper.pb_id, app=OTHER, openid="o-none"))

    assert await identities.identities_of(shopper.pb_id) == kept


async def test_a_move_into_an_app_no_longer_served_moves_nothing(
    users: InMemoryUserRepository, identities: InMemoryIdentityStore, clock: FixedClock
) -> None:
    holder, shopper = await registered(identities), await registered(identities, GONE)
    openid = f"o-{GONE}-{shopper.pb_id}"
    served = Apps(PRIMARY, (OTHER,))  # GONE is no longer configured
    link = LinkIdentity(users=users, identities=identities, apps=served, clock=clock)
    unlink = UnlinkIdentity(identities=identities, apps=served)
    move = MoveIdentity(identities=identities, unlink=unlink, link=link)
    kept = await identities.identities_of(shopper.pb_id)

    with pytest.raises(UnknownApp):
        await move.execute(LinkIdentityCommand(pb_id=holder.pb_id, app=GONE, openid=openid))

    assert await identities.identities_of(shopper.pb_id) == kept


async def test_a_move_to_a_user_made_before_identities_were_kept_moves_nothing(
    users: InMemoryUserRepository, identities: InMemoryIdentityStore, move: MoveIdentity
) -> None:
    shopper = await registered(identities)  # holds a primary identity
    legacy = a_user()  # a primary openid of its own, and no identity row
    await users.add_if_absent(legacy)
    kept = await identities.identities_of(shopper.pb_id)

    with pytest.raises(IdentityRefused):
        await move.execute(
            LinkIdentityCommand(pb_id=legacy.pb_id, app=PRIMARY, openid=shopper.openid)
        )

    assert await identities.identities_of(shopper.pb_id) == kept


async def test_an_open_conflict_is_linked_to_the_unionids_holder_and_only_such_a_one(
    identities: InMemoryIdentityStore, move: MoveIdentity
) -> None:
    link = LinkConflict(identities=identities, move=move)
    holder, shopper = await registered(identities), await registered(identities, OTHER)
    openid = f"o-{OTHER}-{shopper.pb_id}"
    conflict = conflict_about(shopper, OTHER, openid, holder)
    nobodys = replace(conflict_about(shopper, OTHER, openid, holder, n=1), other_pb_id="")
    for each in (conflict, nobodys):
        await identities.add_conflict(each)

    with pytest.raises(IdentityRefused):  # nobody else holds its unionid: dismiss it
        await link.execute(nobodys.id)
    linked, moved = await link.execute(conflict.id)

    assert (linked, moved.identity.pb_id) == (conflict, holder.pb_id)
    for settled_or_unknown in (conflict.id, "nothing00000000", "\x00"):
        with pytest.raises(ConflictNotFound):
            await link.execute(settled_or_unknown)
    with pytest.raises(ConflictNotFound):
        await DismissConflict(identities=identities).execute("\x00")
