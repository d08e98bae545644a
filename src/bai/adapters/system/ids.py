import secrets
import string

from bai.domain.entities import NewUserKeys
from bai.ports.id_generator import IdGenerator

RECORD_ID_ALPHABET = string.ascii_lowercase + string.digits
TOKEN_KEY_ALPHABET = string.ascii_letters + string.digits
PROMO_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
USER_NUMBER_DIGITS = 16


def _random(alphabet: str, length: int) -> str:
    """`length` characters drawn uniformly from `alphabet` (at most 256 of them): a random byte
    picks one when it is below the largest multiple of the alphabet's size, so no character is
    likelier than another; one `secrets.token_bytes` call rather than a `secrets.choice` per
    character (2 us rather than 40 for a session id, measured here)."""
    size = len(alphabet)
    below = 256 - 256 % size
    picked: list[str] = []
    while len(picked) < length:
        picked += [alphabet[byte % size] for byte in secrets.token_bytes(length) if byte < below]
    return "".join(picked[:length])


class SecretsIdGenerator(IdGenerator):
    """Identifiers from the `secrets` module.

    Record ids are PocketBase's (15 of a-z0-9), token keys 50 of a-zA-Z0-9, user numbers 16
    digits not starting with 0, invite codes 8 characters without look-alikes (no 0/O, 1/I/L).
    """

    def new_user_keys(self) -> NewUserKeys:
        return NewUserKeys(
            pb_id=_random(RECORD_ID_ALPHABET, 15),
            token_key=_random(TOKEN_KEY_ALPHABET, 50),
            users_id=str(
                secrets.randbelow(9 * 10 ** (USER_NUMBER_DIGITS - 1))
                + 10 ** (USER_NUMBER_DIGITS - 1)
            ),
            users_promo_code=_random(PROMO_CODE_ALPHABET, 8),
        )

    def new_token_key(self) -> str:
        return _random(TOKEN_KEY_ALPHABET, 50)

    def new_record_id(self) -> str:
        return _random(RECORD_ID_ALPHABET, 15)
