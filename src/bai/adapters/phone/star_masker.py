from bai.ports.phone_masker import PhoneMasker

MAINLAND_LENGTH = 11
VISIBLE_TAIL = 4


class StarPhoneMasker(PhoneMasker):
    """`13800138000` -> `138****8000`; any other length keeps only its last 4 characters, and a
    number of 4 characters or fewer is hidden entirely."""

    def mask(self, phone: str) -> str:
        if len(phone) == MAINLAND_LENGTH:
            return f"{phone[:3]}****{phone[-VISIBLE_TAIL:]}"
        if len(phone) <= VISIBLE_TAIL:
            return "*" * len(phone)
        return "*" * (len(phone) - VISIBLE_TAIL) + phone[-VISIBLE_TAIL:]
