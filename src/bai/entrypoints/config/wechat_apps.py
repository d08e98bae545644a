"""The mini-programs BAI serves: `BAI_WECHAT_APPID`/`BAI_WECHAT_SECRET` for one, or
`BAI_WECHAT_APPS_FILE`, a TOML file with one `[[app]]` table per mini-program. Every way it can
be wrong is one line naming the cause (never a secret); the file's secrets follow
`BAI_WECHAT_SECRET`'s rules."""

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bai.adapters.wechat.push_crypto import PushKey
from bai.domain.apps import SANDBOX_APPID, Apps, is_appid
from bai.entrypoints.config.secret_file import TokenSecretError, read_secret_file

PUSH_AES_KEY_LENGTH = 43
MAX_FILE_BYTES = 256 * 1024
_TEXT_KEYS = ("appid", "secret", "secret_file", "name")
_PUSH_KEYS = ("push_token", "push_aes_key", "push_aes_key_previous")
_KEYS = frozenset({*_TEXT_KEYS, *_PUSH_KEYS, "primary"})


class AppsError(ValueError):
    """The mini-programs are not described in a way BAI can serve (one line)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AppSettings:
    appid: str
    secret: str = ""  # "" on the sandbox
    name: str = ""
    push_token: str = ""
    push_aes_key: str = ""
    push_aes_key_previous: str = ""

    def __repr__(self) -> str:  # never the secrets, whoever prints it
        return f"AppSettings(appid={self.appid!r}, name={self.name!r})"


@dataclass(frozen=True, slots=True)
class WeChatApps:
    """The apps, primary first; `sandbox`: served by the built-in sandbox WeChat."""

    apps: tuple[AppSettings, ...]
    sandbox: bool
    from_file: bool = False
    warnings: tuple[str, ...] = ()  # files others can write (refused in production)

    @property
    def primary(self) -> AppSettings:
        return self.apps[0]

    @property
    def core(self) -> Apps:
        """What the core knows of them: app ids only. The sandbox of a developer who named no
        app serves any app id a request names as its one app."""
        others = tuple(app.appid for app in self.apps[1:])
        lenient = self.sandbox and not self.from_file and self.primary.appid == SANDBOX_APPID
        return Apps(self.primary.appid, others, lenient=lenient)

    @property
    def secrets(self) -> dict[str, str]:
        return {app.appid: app.secret for app in self.apps}

    @property
    def record_keys(self) -> dict[str, bytes]:
        """What keys the hashes of openids in the push events' record, by app: derived from
        the app's secret, which every host has and nobody outside does (the sandbox has none)."""
        return {
            app.appid: hashlib.sha256(b"bai push event record\n" + app.secret.encode()).digest()
            for app in self.apps
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PushSettings:
    """`BAI_WECHAT_PUSH_TOKEN`, `..._AES_KEY`, `..._AES_KEY_PREVIOUS`: one app's push settings."""

    token: str = ""
    aes_key: str = ""
    aes_key_previous: str = ""

    def __repr__(self) -> str:
        return "PushSettings(...)"


def wechat_apps(
    *,
    appid: str,
    secret: str,
    apps_file: str,
    production: bool,
    push: PushSettings = PushSettings(),
) -> WeChatApps:
    """The apps the settings describe. No app at all: the sandbox (refused in production, as
    before)."""
    given_push = push != PushSettings()
    if apps_file:
        if appid or secret:
            raise AppsError(
                "set BAI_WECHAT_APPS_FILE or BAI_WECHAT_APPID/BAI_WECHAT_SECRET, not both"
            )
        if given_push:
            raise AppsError("with BAI_WECHAT_APPS_FILE, give push settings in its [[app]] tables")
        return _from_file(Path(apps_file), production=production)
    settings = {
        "push_token": push.token,
        "push_aes_key": push.aes_key,
        "push_aes_key_previous": push.aes_key_previous,
    }
    _check_push(settings)
    if not appid:
        return WeChatApps((AppSettings(appid=SANDBOX_APPID, **settings),), sandbox=True)
    if not is_appid(appid):
        raise AppsError("BAI_WECHAT_APPID must be 1..64 characters of A-Za-z0-9_-")
    return WeChatApps((AppSettings(appid=appid, secret=secret, **settings),), sandbox=False)


def _check_push(settings: Mapping[str, str], *, where: str = "") -> None:
    """Push settings are a token and a key together (or neither); a key is an EncodingAESKey.
    `where`: the apps file's app (its keys named as there); "" for the variables."""

    def named(key: str) -> str:
        return key if where else f"BAI_WECHAT_{key.upper()}"

    def refused(text: str) -> AppsError:
        return AppsError(f"{where}: {text}" if where else text)

    for key in ("push_aes_key", "push_aes_key_previous"):
        if settings.get(key):
            try:
                PushKey.from_encoding_aes_key(settings[key])
            except ValueError:
                raise refused(
                    f"{named(key)} must be {PUSH_AES_KEY_LENGTH} characters of base64"
                    " (WeChat's EncodingAESKey)"
                ) from None
    if bool(settings.get("push_token")) != bool(settings.get("push_aes_key")):
        raise refused(f"{named('push_token')} and {named('push_aes_key')} go together")
    if settings.get("push_aes_key_previous") and not settings.get("push_aes_key"):
        raise refused(f"{named('push_aes_key_previous')} needs {named('push_aes_key')}")


def _from_file(path: Path, *, production: bool) -> WeChatApps:
    where = f"BAI_WECHAT_APPS_FILE {path}"
    try:  # it may hold secrets: read as a secret file is
        text = read_secret_file(path, production=production, max_bytes=MAX_FILE_BYTES)
    except TokenSecretError as exc:
        raise AppsError(f"{where} cannot be read: {exc}") from None
    except OSError as exc:
        raise AppsError(f"{where} cannot be read: {exc.strerror or type(exc).__name__}") from None
    warnings = [text.warning] if text.warning else []
    try:
        document = tomllib.loads(text.value)
    except tomllib.TOMLDecodeError as exc:
        raise AppsError(f"{where} is not TOML: {exc}") from None
    tables = document.get("app")
    unknown = sorted(set(document) - {"app"})
    if unknown:
        raise AppsError(f"{where}: unknown key {unknown[0]!r} (one [[app]] table per app)")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise AppsError(f"{where} has no [[app]] table")
    apps = [
        _app(where, number, table, production=production, warnings=warnings)
        for number, table in enumerate(tables, 1)
    ]
    seen: set[str] = set()
    for app, _ in apps:
        if app.appid in seen:
            raise AppsError(f"{where}: appid {app.appid} is listed twice")
        seen.add(app.appid)
    primaries = [app.appid for app, primary in apps if primary]
    if len(apps) > 1 and len(primaries) != 1:
        which = "no app has" if not primaries else f"{', '.join(primaries)} all have"
        raise AppsError(f"{where}: exactly one app has primary = true ({which} it)")
    ordered = sorted((app for app, _ in apps), key=lambda app: app.appid not in primaries)
    with_secret = [app.appid for app in ordered if app.secret]
    if production and len(with_secret) != len(ordered):
        missing = next(app.appid for app in ordered if not app.secret)
        raise AppsError(f"{where}: app {missing} has no secret (BAI_ENV=production needs one)")
    if with_secret and len(with_secret) != len(ordered):
        missing = next(app.appid for app in ordered if not app.secret)
        raise AppsError(
            f"{where}: app {missing} has no secret: give every app one, or none (the sandbox)"
        )
    return WeChatApps(
        tuple(ordered), sandbox=not with_secret, from_file=True, warnings=tuple(warnings)
    )


def _app(
    where: str, number: int, table: Mapping[str, Any], *, production: bool, warnings: list[str]
) -> tuple[AppSettings, bool]:
    at = f"{where}: app {number}"
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise AppsError(f"{at}: unknown key {unknown[0]!r}")
    for key in (*_TEXT_KEYS, *_PUSH_KEYS):
        if key in table and not isinstance(table[key], str):
            raise AppsError(f"{at}: {key} must be a string")
    if "primary" in table and not isinstance(table["primary"], bool):
        raise AppsError(f"{at}: primary must be true or false")
    appid = table.get("appid", "")
    if not is_appid(appid):
        raise AppsError(f"{at}: appid must be 1..64 characters of A-Za-z0-9_-")
    at = f"{where}: app {appid}"
    secret = table.get("secret", "")
    if secret and table.get("secret_file"):
        raise AppsError(f"{at}: set secret or secret_file, not both")
    if table.get("secret_file"):
        try:
            read = read_secret_file(Path(table["secret_file"]), production=production)
            secret = read.value
            warnings.extend([read.warning] if read.warning else [])
        except TokenSecretError as exc:
            raise AppsError(f"{at}: secret_file: {exc}") from None
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise AppsError(f"{at}: secret_file cannot be read: {reason}") from None
        if not secret:
            raise AppsError(f"{at}: secret_file is empty")
    _check_push({key: table.get(key, "") for key in _PUSH_KEYS}, where=at)
    app = AppSettings(
        appid=appid,
        secret=secret.strip(),
        name=table.get("name", ""),
        **{key: table.get(key, "") for key in _PUSH_KEYS},
    )
    return app, table.get("primary", False)
