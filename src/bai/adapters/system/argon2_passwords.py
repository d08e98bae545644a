"""Operators' passwords as Argon2id hashes, with argon2-cffi and RFC 9106's second recommended
profile (the one for less memory, which is also the library's default)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import Parameters, Type
from argon2 import PasswordHasher as Argon2
from argon2.exceptions import Argon2Error
from argon2.profiles import RFC_9106_LOW_MEMORY

from bai.ports.password_hasher import PasswordHasher

# What argon2-cffi raises for a password that does not match and for a hash it cannot read
# (`InvalidHashError` and text that is not ASCII are `ValueError`s).
_REFUSED = (Argon2Error, ValueError)
TURNS = 2  # hashes made or checked at once by a process


class Argon2PasswordHasher(PasswordHasher):
    """Hashes in their encoded form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), which carries its
    parameters: `verify` reads them from the hash, so one made under other parameters still
    verifies, and `needs_rehash` tells it from one made under `parameters` (the tests pass
    cheaper ones)."""

    def __init__(self, parameters: Parameters = RFC_9106_LOW_MEMORY) -> None:
        if parameters.type is not Type.ID:
            raise ValueError("operators' passwords are hashed with Argon2id")
        self._argon2 = Argon2.from_parameters(parameters)
        # Off the event loop, on threads of their own, two at a time: each takes its
        # parameters' memory (64 MiB by default), and a burst of sign-ins must neither stall
        # the API nor exhaust memory. A sign-in abandoned meanwhile still holds its thread until
        # its hash is done, so the bound holds whatever the callers do.
        self._threads = ThreadPoolExecutor(max_workers=TURNS, thread_name_prefix="argon2")

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(
            self._threads, self._argon2.hash, password
        )

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.get_running_loop().run_in_executor(
            self._threads, self._verified, password_hash, password
        )

    def _verified(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except _REFUSED:
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except _REFUSED:
            return True
