"""Operator accounts (`bai operators ...`, later the console's sign-in) and the audit trail that
records what every operator does, from the console or the CLI (SPEC "The operator console")."""

from dataclasses import dataclass
from datetime import datetime

from bai.domain.errors import InvalidField, OperatorExists, OperatorNotFound
from bai.domain.operators import AuditEntry, Operator, OperatorRole
from bai.ports.audit_trail import AuditTrail
from bai.ports.clock import Clock
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
            password_hash=self._hasher.hash(checked_password(password)),
            created=now,
            updated=now,
        )
        if not await self._operators.add(operator):
            raise OperatorExists
        await self._audit.record(actor, "operators.add", operator.email, f"role={role.value}")
        return operator

    async def all(self) -> list[Operator]:
        return await self._operators.all()

    async def remove(self, actor: Actor, email: str) -> None:
        email = operator_email(email)
        if not await self._operators.remove(email):
            raise OperatorNotFound
        await self._audit.record(actor, "operators.remove", email)

    async def change_password(self, actor: Actor, email: str, password: str) -> None:
        email, hashed = operator_email(email), self._hasher.hash(checked_password(password))
        if not await self._operators.set_password(email, hashed, updated=self._clock.now()):
            raise OperatorNotFound
        await self._audit.record(actor, "operators.passwd", email)

    async def change_role(self, actor: Actor, email: str, role: OperatorRole) -> None:
        email = operator_email(email)
        if not await self._operators.set_role(email, role, updated=self._clock.now()):
            raise OperatorNotFound
        await self._audit.record(actor, "operators.role", email, f"role={role.value}")
