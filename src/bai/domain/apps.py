"""The mini-programs one BAI serves, as the core knows them: their app ids, one of them primary.
Their secrets are the WeChat adapter's business, never the core's."""

import re
from dataclasses import dataclass

from bai.domain.errors import UnknownApp

# WeChat's app ids are `wx` and 16 hex digits; BAI accepts any id of this shape, so a test or a
# sandbox can name its own.
_APPID = re.compile(r"[A-Za-z0-9_-]{1,64}")
SANDBOX_APPID = "sandbox"


def is_appid(text: str) -> bool:
    return _APPID.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class Apps:
    """The configured mini-programs: `primary` first, then the others.

    - `resolve` picks the app a request is for from the app id it names (the `Referer` WeChat
      sets), the primary when it names none; an app id that is not configured is `UnknownApp`
      (the request is refused before WeChat is asked; apps are never tried one after another).
    - `lenient`: the sandbox of a developer who configured no app at all serves whatever app id
      a request names as its one app (the mini-program's devtools send the real one).
    """

    primary: str
    others: tuple[str, ...] = ()
    lenient: bool = False

    def __post_init__(self) -> None:
        ids = (self.primary, *self.others)
        if not all(is_appid(appid) for appid in ids):
            raise ValueError("an app id is 1..64 characters of A-Za-z0-9_-")
        if len(set(ids)) != len(ids):
            raise ValueError("an app id is listed twice")

    @property
    def all(self) -> tuple[str, ...]:
        return (self.primary, *self.others)

    def __contains__(self, appid: object) -> bool:
        return appid == self.primary or appid in self.others

    def resolve(self, named: str | None) -> str:
        if named is not None and named in self:
            return named
        if named is None or self.lenient:
            return self.primary
        raise UnknownApp

    def is_primary(self, appid: str) -> bool:
        return appid == self.primary
