"""The people who run BAI (SPEC "The operator console"): operator accounts, which are not WeChat
users, and the audit trail of what operators did, from the console or the CLI."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class OperatorRole(StrEnum):
    ADMIN = "admin"  # every action
    VIEWER = "viewer"  # reads only


@dataclass(frozen=True, slots=True, kw_only=True)
class Operator:
    id: str  # 15 characters of a-z0-9, like a record id
    email: str  # kept lower-case: the sign-in name
    role: OperatorRole
    password_hash: str  # Argon2id, in its encoded form (`$argon2id$...`)
    created: datetime
    updated: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One operator action: who (an operator's email, or `cli:<unix user>`), when, what
    (`users.disable`, `identities.link`, `operators.add`, ...), on whom (a `pb_id`, an email, a
    conflict id), from which address ("" from the CLI), and what else it needs said."""

    id: str  # 15 characters of a-z0-9
    at: datetime
    actor: str
    action: str
    target: str
    address: str = ""
    detail: str = ""
