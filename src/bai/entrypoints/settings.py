"""Configuration from `BAI_*` environment variables, checked once at start-up."""

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bai.adapters.pocketbase.client import target_of
from bai.entrypoints.http.limits import Limit, LimitsError, parse_limits
from bai.entrypoints.token_secret import (
    TokenSecretError,
    development_token_secret,
    token_secret_from,
)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Storage = Literal["memory", "sqlite", "postgresql", "pocketbase"]
PoolMode = Literal["session", "transaction"]
MIN_SECRET_BYTES = 32
MAX_WECHAT_TIMEOUT = 20.0


class SettingsError(ValueError):
    """The environment does not describe a service that can start."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    token_secret: str
    host: str = "127.0.0.1"
    port: int = 8090
    workers: int = 1
    database_url: str = "sqlite+aiosqlite:///./bai_data/bai.db"
    migration_database_url: str = "sqlite+aiosqlite:///./bai_data/bai.db"
    database_pool_size: int = 10
    database_pool_mode: PoolMode = "session"
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"
    token_ttl: int = 604800
    collection_id: str = "pbc_421601843"
    env: str = "development"
    rate_limit: bool = True
    rate_limits: Mapping[str, Limit | None] = field(default_factory=lambda: parse_limits(""))
    trusted_proxies: tuple[IPNetwork, ...] = ()
    redis_url: str = ""
    data_dir: Path = Path("bai_data")
    wechat_connect_timeout: float = 2.0
    wechat_timeout: float = 5.0
    http_idle_timeout: float = 30.0
    http_body_timeout: float = 10.0

    @property
    def storage(self) -> Storage:
        return _storage(self.database_url)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def uses_sandbox_wechat(self) -> bool:
        return not self.wechat_appid


DRIVERS: dict[str, Storage] = {
    "memory": "memory",
    "sqlite+aiosqlite": "sqlite",
    "postgresql+asyncpg": "postgresql",
    "pocketbase": "pocketbase",
    "pocketbase+https": "pocketbase",
}


def _storage(url: str) -> Storage:
    scheme = url.split(":", 1)[0]
    if scheme not in DRIVERS:
        raise SettingsError(
            f"BAI_DATABASE_URL: unsupported scheme {scheme!r}; use {', '.join(map(repr, DRIVERS))}"
        )
    return DRIVERS[scheme]


def _pool_mode(raw: str) -> PoolMode:
    mode = raw.strip().lower() or "session"
    if mode == "session":
        return "session"
    if mode == "transaction":
        return "transaction"
    raise SettingsError("BAI_DATABASE_POOL_MODE must be session or transaction")


def _database_url(env: Mapping[str, str], data_dir: Path, name: str = "BAI_DATABASE_URL") -> str:
    """The URL named, with plain PostgreSQL URLs given the asyncpg driver; the default SQLite
    file for `BAI_DATABASE_URL`, "" for any other name left unset."""
    default = f"sqlite+aiosqlite:///{data_dir}/bai.db" if name == "BAI_DATABASE_URL" else ""
    url = env.get(name, "").strip() or default
    if not url:
        return ""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            url = "postgresql+asyncpg://" + url.removeprefix(plain)
    try:
        if _storage(url) == "pocketbase":
            target_of(url)
    except (SettingsError, ValueError) as exc:
        raise SettingsError(f"{name}: {str(exc).removeprefix('BAI_DATABASE_URL: ')}") from None
    return url


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:  # noqa: PLR2004
        raise SettingsError(f"{name} must be a number of seconds from 0 to 3600")
    return value


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _networks(raw: str) -> tuple[IPNetwork, ...]:
    """The CIDRs, with IPv4-mapped IPv6 ones (`::ffff:10.0.0.0/104`) as the IPv4 networks they
    are: client addresses are folded the same way."""
    try:
        networks = [ipaddress.ip_network(part.strip()) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise SettingsError(f"BAI_TRUSTED_PROXIES: {exc}") from exc
    return tuple(_unmapped(network) for network in networks)


def _unmapped(network: IPNetwork) -> IPNetwork:
    if not isinstance(network, ipaddress.IPv6Network):
        return network
    first = network.network_address.ipv4_mapped
    if first is None or not network.subnet_of(ipaddress.IPv6Network("::ffff:0:0/96")):
        return network
    return ipaddress.IPv4Network((first, network.prefixlen - 96))


def _rate_limits(raw: str) -> dict[str, Limit | None]:
    try:
        return parse_limits(raw)
    except LimitsError as exc:
        raise SettingsError(f"BAI_RATE_LIMITS: {exc}") from exc


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    deployment = env.get("BAI_ENV", "development").strip() or "development"
    appid, app_secret = (
        env.get("BAI_WECHAT_APPID", "").strip(),
        env.get("BAI_WECHAT_SECRET", "").strip(),
    )
    try:
        token_secret = token_secret_from(env)
    except TokenSecretError as exc:
        raise SettingsError(str(exc)) from exc
    data_dir = Path(env.get("BAI_DATA_DIR", "bai_data"))
    database_url = _database_url(env, data_dir)
    beside_pocketbase = _storage(database_url) == "pocketbase"
    if beside_pocketbase and token_secret:
        raise SettingsError(
            "with BAI_DATABASE_URL=pocketbase://... the token secret is PocketBase's own:"
            " unset BAI_TOKEN_SECRET and BAI_TOKEN_SECRET_FILE"
        )
    if deployment == "production":
        missing = [
            name
            for name, value in [
                ("BAI_WECHAT_APPID", appid),
                ("BAI_WECHAT_SECRET", app_secret),
                ("BAI_TOKEN_SECRET (or BAI_TOKEN_SECRET_FILE)", token_secret or beside_pocketbase),
            ]
            if not value
        ]
        if missing:
            raise SettingsError(f"BAI_ENV=production needs {', '.join(missing)}")
    if appid and not app_secret:
        raise SettingsError("BAI_WECHAT_APPID is set but BAI_WECHAT_SECRET is not")
    if token_secret and len(token_secret.encode()) < MIN_SECRET_BYTES:
        raise SettingsError("BAI_TOKEN_SECRET must be at least 32 bytes")
    rate_limit = env.get("BAI_RATE_LIMIT", "on").strip().lower()
    if rate_limit not in {"on", "off"}:
        raise SettingsError("BAI_RATE_LIMIT must be on or off")
    settings = Settings(
        # Beside PocketBase, its collection's secret, read when the container is made.
        token_secret=""
        if beside_pocketbase
        else token_secret or development_token_secret(data_dir),
        host=env.get("BAI_HOST", "127.0.0.1").strip() or "127.0.0.1",
        port=_integer(env, "BAI_PORT", 8090, 1, 65535),
        workers=_integer(env, "BAI_WORKERS", 1, 1, 64),
        database_url=database_url,
        migration_database_url=_database_url(env, data_dir, "BAI_MIGRATION_DATABASE_URL")
        or database_url,
        database_pool_size=_integer(env, "BAI_DATABASE_POOL_SIZE", 10, 1, 200),
        database_pool_mode=_pool_mode(env.get("BAI_DATABASE_POOL_MODE", "")),
        wechat_appid=appid,
        wechat_secret=app_secret,
        wechat_api_base=env.get("BAI_WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/"),
        token_ttl=_integer(env, "BAI_TOKEN_TTL", 604800, 60, 31_536_000),
        collection_id=env.get("BAI_COLLECTION_ID", "pbc_421601843").strip() or "pbc_421601843",
        env=deployment,
        rate_limit=rate_limit == "on",
        rate_limits=_rate_limits(env.get("BAI_RATE_LIMITS", "")),
        trusted_proxies=_networks(env.get("BAI_TRUSTED_PROXIES", "")),
        redis_url=env.get("BAI_REDIS_URL", "").strip(),
        data_dir=data_dir,
        wechat_connect_timeout=_seconds(env, "BAI_WECHAT_CONNECT_TIMEOUT", 2.0),
        wechat_timeout=_seconds(env, "BAI_WECHAT_TIMEOUT", 5.0),
        http_idle_timeout=_seconds(env, "BAI_HTTP_IDLE_TIMEOUT", 30.0),
        http_body_timeout=_seconds(env, "BAI_HTTP_BODY_TIMEOUT", 10.0),
    )
    _refuse_what_cannot_work(settings)
    return settings


def _refuse_what_cannot_work(settings: Settings) -> None:
    """Settings each fine alone that do not work together."""
    if _storage(settings.migration_database_url) != settings.storage:
        raise SettingsError("BAI_MIGRATION_DATABASE_URL must be the same kind of database")
    if settings.wechat_timeout > MAX_WECHAT_TIMEOUT:
        raise SettingsError(
            f"BAI_WECHAT_TIMEOUT must be at most {MAX_WECHAT_TIMEOUT} seconds (a login code's"
            " claim lasts 30)"
        )
    if settings.database_pool_mode == "transaction" and settings.storage != "postgresql":
        raise SettingsError("BAI_DATABASE_POOL_MODE=transaction is for PostgreSQL (PgBouncer)")
    if settings.storage == "memory" and settings.workers > 1:
        raise SettingsError("BAI_WORKERS > 1 needs shared storage: memory:// lives in one process")
    for name, value in [
        ("BAI_HTTP_IDLE_TIMEOUT", settings.http_idle_timeout),
        ("BAI_HTTP_BODY_TIMEOUT", settings.http_body_timeout),
    ]:
        if value < 1:
            raise SettingsError(f"{name} must be at least 1 second")
    if not 0 < settings.wechat_connect_timeout <= settings.wechat_timeout:
        raise SettingsError("BAI_WECHAT_CONNECT_TIMEOUT must be > 0 and <= BAI_WECHAT_TIMEOUT")
