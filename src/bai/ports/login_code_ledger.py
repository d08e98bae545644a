from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bai.domain.values import WeChatIdentity

# How long a claim nobody settles or releases holds before it lapses (every ledger).
CLAIM_SECONDS = 30


class CodeFailure(StrEnum):
    """Why WeChat's answer gave no identity. The values are what ledgers store (8 characters
    at most, beside `pending` and `vouched`)."""

    REFUSED = "refused"
    QUOTA = "quota"
    MISCONFIGURED = "setup"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class CodeAnswer:
    """What came of asking WeChat about a login code: who holds it, or (`identity` None) the
    failure every request with that code answers, a refusal of the code by default."""

    identity: WeChatIdentity | None
    failure: CodeFailure = CodeFailure.REFUSED


@dataclass(frozen=True, slots=True)
class CodeClaim:
    """The outcome of claiming a code: this caller asks WeChat (`mine`), or another already
    did and `answer` is what WeChat said, or another is asking right now (neither)."""

    mine: bool = False
    answer: CodeAnswer | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    """An answer for a ledger to record (`LoginCodeLedger.settle`'s arguments), when the step
    after the exchange records it in its own statement (`SessionStore.start_for_identity`)."""

    key: str
    answer: CodeAnswer
    keep_seconds: int


class LoginCodeLedger(Protocol):
    """Login codes being exchanged with WeChat, shared by every process that shares it. Keys are
    hashes of codes; a code itself is never given to the ledger.

    Raises `StorageUnavailable` when the store behind it cannot be reached.
    """

    async def claim(self, key: str) -> CodeClaim:
        """Take the code for the caller unless another holds it or has settled it. A claim
        that is neither settled nor released lapses on its own after a while."""
        ...

    async def settle(self, key: str, answer: CodeAnswer, *, keep_seconds: int) -> None:
        """Record what came of asking WeChat, for the callers waiting and those that come
        within `keep_seconds`."""
        ...

    async def release(self, key: str) -> None:
        """Give the claim up without an answer: the next caller may ask WeChat itself."""
        ...

    async def wait(self, key: str) -> CodeAnswer | None:
        """Wait for the holder's answer; None when the claim was released or lapsed."""
        ...
