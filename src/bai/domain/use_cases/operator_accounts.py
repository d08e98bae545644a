"""Operator accounts (`bai operators ...`, later the console's sign-in) and the audit trail that
records what every operator does, from the console or the CLI (SPEC "The operator console")."""

from dataclasses import dataclass
from datetime import datetime

from bai.domain.errors import (
    InvalidField,
    OperatorExists,
    OperatorLocked,
    OperatorNotFound,
    OperatorSignInRefused,
)
from bai.domain.operators import AuditEntry, Operator, OperatorRole
from bai.ports.audit_trail import AuditTrail
from bai.ports.clock import Clock
from bai.ports.failed_attempts import FailedAttempts
from bai.ports.id_generator import IdGenerator
from bai.ports.operator_store import OperatorStore
from bai.ports.password_hasher import PasswordHasher

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # Argon2 takes any length; a bound keeps a hash from being a burden
MAX_EMAIL = 254


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: an operator's email, or `cli:<unix user>`; and from which address ("" from
    the CLI)."""

    name: str
    address: str = ""


def operator_email(text: str) -> str:
    """An operator's sign-in name: an address with one `@`, no spaces, kept lower-case."""
    email = text.strip().lower()
    local, at, domain = email.partition("@")
    if not (at and local and domain and "@" not in domain and len(email) <= MAX_EMAIL):
        raise InvalidField("email", "must be an email address", "邮箱格式不正确")
    if not email.isprintable() or any(char.isspace() for char in email):
        raise InvalidField("email", "must be an email address", "邮箱格式不正确")
    return email


def checked_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        reason = f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters"
        raise InvalidField("password", reason, f"密码至少 {MIN_PASSWORD} 个字符")
    return password


class AuditLog:
    """Records operator actions in the audit trail; nothing it records can be changed."""

    def __init__(self, *, trail: AuditTrail, ids: IdGenerator, clock: Clock) -> None:
        self._trail, self._ids, self._clock = trail, ids, clock

    async def record(self, actor: Actor, action: str, target: str, detail: str = "") -> None:
        entry = AuditEntry(
            id=self._ids.new_record_id(),
            at=self._clock.now(),
            actor=actor.name,
            action=action,
            target=target,
            address=actor.address,
            detail=detail,
        )
        await self._trail.record(entry)

    async def recent(
        self, *, limit: int, target: str = "", before: tuple[datetime, str] | None = None
    ) -> list[AuditEntry]:
        return await self._trail.recent(limit=limit, target=target, before=before)


class OperatorAccounts:
    """Add, list, remove operators and change their passwords or roles; each change recorded
    in the audit trail under `actor`. Passwords are at least 12 characters, kept as Argon2id
    hashes, never anywhere else."""

    def __init__(
        self,
        *,
        operators: OperatorStore,
        hasher: PasswordHasher,
        audit: AuditLog,
        ids: IdGenerator,
        clock: Clock,
    ) -> None:
        self._operators, self._hasher, self._audit = operators, hasher, audit
        self._ids, self._clock = ids, clock

    async def add(self, actor: Actor, email: str, password: str, role: OperatorRole) -> Operator:
        now = self._clock.now()
        operator = Operator(
            id=self._ids.new_record_id(),
            email=operator_email(email),
            role=role,
            password_hash=await self._hasher.hash(checked_password(password)),
            created=now,
            updated=now,
        )
        if not await self._operators.add(operator):
            raise OperatorExists
        await self._audit.record(actor, "operators.add", operator.email, f"role={role.value}")
        return operator

    async def all(self) -> list[Operator]:
        return await self._operators.all()

    async def find(self, email: str) -> Operator | None:
        return await self._operators.by_email(email)

    async def any(self) -> bool:
        return await self._operators.count() > 0

    async def remove(self, actor: Actor, email: str) -> None:
        email = operator_email(email)
        if not await self._operators.remove(email):
            raise OperatorNotFound
        await self._audit.record(actor, "operators.remove", email)

    async def change_password(self, actor: Actor, email: str, password: str) -> None:
        email, hashed = operator_email(email), await self._hasher.hash(checked_password(password))
        if not await self._operators.set_password(email, hashed, updated=self._clock.now()):
            raise OperatorNotFound
        await self._audit.record(actor, "operators.passwd", email)

    async def change_role(self, actor: Actor, email: str, role: OperatorRole) -> None:
        email = operator_email(email)
        if not await self._operators.set_role(email, role, updated=self._clock.now()):
            raise OperatorNotFound
        await self._audit.record(actor, "operators.role", email, f"role={role.value}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Lockout:
    """SPEC: 5 wrong passwords for an email, or from an address, within 15 minutes lock it for
    15 minutes."""

    failures: int = 5
    window_seconds: int = 900
    lock_seconds: int = 900


class OperatorSignIn:
    """An operator's email and password, checked.

    - Every attempt is counted, for the email and for the address, before its password is
      checked: of attempts sent at once no more than 5 a key are checked.
    - Locked (5 failures for the email or from the address, and another attempt):
      `OperatorLocked`, and the password is not even checked.
    - Wrong email or password: `OperatorSignInRefused`, the same answer for both and as slow
      (an unknown email's password is checked against a hash too).
    - Right: the email's failures are forgotten and this attempt is taken back from the
      address's count, a hash made with weaker parameters is made again, and the sign-in is
      recorded in the audit trail.
    """

    def __init__(
        self,
        *,
        operators: OperatorStore,
        hasher: PasswordHasher,
        attempts: FailedAttempts,
        audit: AuditLog,
        clock: Clock,
        lockout: Lockout = Lockout(),
    ) -> None:
        self._operators, self._hasher, self._attempts = operators, hasher, attempts
        self._audit, self._clock, self._lockout = audit, clock, lockout
        self._stand_in = ""  # a hash to check an unknown email's password against

    async def execute(
        self, email: str, password: str, *, address: str, counted_as: str = ""
    ) -> Operator:
        """`address`: the client's, for the audit trail; `counted_as`: what its failures count
        under (an IPv6 client's /64), the address itself by default."""
        name = _sign_in_name(email)
        keys = (f"email:{name}", f"address:{counted_as or address}")
        locked = max([await self._attempts.locked_for(key) for key in keys])
        if locked:
            raise OperatorLocked(retry_after=locked)
        # Every attempt counts before its password is checked, so that of attempts sent at once
        # no more than the limit are ever checked: the one past it locks the key and is refused.
        rule = self._lockout
        for key in keys:
            locked = await self._attempts.fail(
                key,
                limit=rule.failures + 1,
                window_seconds=rule.window_seconds,
                lock_seconds=rule.lock_seconds,
            )
            if locked:
                raise OperatorLocked(retry_after=locked)
        operator = await self._operators.by_email(name) if name else None
        if operator is None:
            await self._hasher.verify(await self._stand_in_hash(), password)
            raise OperatorSignInRefused
        if not await self._hasher.verify(operator.password_hash, password):
            raise OperatorSignInRefused
        # The email's failures are forgotten; from the address, this attempt alone (a right
        # password of one account does not wipe the guesses at others from the same place).
        await self._attempts.clear(keys[0])
        await self._attempts.forgive(keys[1])
        if self._hasher.needs_rehash(operator.password_hash):
            rehashed = await self._hasher.hash(password)
            await self._operators.set_password(operator.email, rehashed, updated=self._clock.now())
            operator = await self._operators.by_email(name) or operator  # its new `updated`
        await self._audit.record(Actor(operator.email, address), "console.sign-in", operator.email)
        return operator

    async def _stand_in_hash(self) -> str:
        if not self._stand_in:
            self._stand_in = await self._hasher.hash("a stand-in password")
        return self._stand_in


def _sign_in_name(email: str) -> str:
    """The email as operators are kept by (lower-case); "" for text no operator could have."""
    try:
        return operator_email(email)
    except InvalidField:
        return ""
