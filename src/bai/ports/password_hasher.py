from typing import Protocol


class PasswordHasher(Protocol):
    """Operators' passwords, as Argon2id hashes in their encoded form. Hashing and checking are
    slow by design (tens of milliseconds, tens of MiB): they must not hold up the requests a
    process serves meanwhile, so they are awaited."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether `password` is the one hashed; False for any malformed hash."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """The hash was made with other parameters than today's (older, weaker ones, as a
        rule) or cannot be read: hash the password again while it is at hand."""
        ...
