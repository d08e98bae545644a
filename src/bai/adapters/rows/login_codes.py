"""How a `tbl_login_codes` row holds a `CodeAnswer`, and how a waiter watches it: shared by the
SQLAlchemy ledger and the asyncpg one, which read and write the same table."""

from collections.abc import Awaitable, Callable

from bai.adapters.polling import STILL_PENDING, StillPending, poll
from bai.domain.values import WeChatIdentity
from bai.ports.login_code_ledger import CodeAnswer, CodeFailure

POLL_SECONDS = 0.02
SWEEP_EVERY_SECONDS = 60
Row = tuple[str, str, str]
FAILURE_STATES = frozenset(CodeFailure)


def answer_of(state: str, openid: str, unionid: str) -> CodeAnswer | None:
    """The answer a row holds; None while it is pending (or in a state this version does not
    know)."""
    if state == "vouched":
        return CodeAnswer(WeChatIdentity(openid=openid, unionid=unionid))
    if state in FAILURE_STATES:
        return CodeAnswer(None, CodeFailure(state))
    return None


def row_of(answer: CodeAnswer) -> Row:
    identity = answer.identity
    if identity is None:
        return answer.failure.value, "", ""
    return "vouched", identity.openid, identity.unionid


async def poll_answer(
    read: Callable[[], Awaitable[Row | None]], seconds: float
) -> CodeAnswer | None:
    """Read the row until it holds an answer; None when it is gone (released, lapsed) or still
    pending after `seconds`."""

    async def answer() -> CodeAnswer | StillPending | None:
        row = await read()
        if row is None:
            return None
        found = answer_of(*row)
        return STILL_PENDING if found is None else found

    return await poll(answer, seconds=seconds, every=POLL_SECONDS)
