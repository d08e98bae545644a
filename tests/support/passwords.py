"""The operators' password hasher as the tests use it: Argon2id at the lowest cost argon2
accepts (8 KiB, one pass, one lane), so that tests hash as often as they like."""

from argon2 import Parameters, Type

from bai.adapters.system.argon2_passwords import Argon2PasswordHasher

CHEAP = Parameters(
    type=Type.ID,
    version=19,
    salt_len=16,
    hash_len=32,
    time_cost=1,
    memory_cost=8,
    parallelism=1,
)


def cheap_hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(CHEAP)
