from typing import Protocol


class PasswordHasher(Protocol):
    """Operators' passwords, as Argon2id hashes in their encoded form."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether `password` is the one hashed; False for any malformed hash."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """The hash was made with weaker parameters than today's."""
        ...
