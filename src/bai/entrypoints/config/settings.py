"""Configuration from `BAI_*` environment variables, checked once at start-up. Each variable
is declared once, in `variables.py`; this module reads them through those declarations and
then checks what only holds of several together (a database URL alone: `database_urls.py`)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from bai.adapters.backends import backend_of
from bai.adapters.tokens.pocketbase_jwt import MIN_SECRET_BYTES, secret_is_long_enough
from bai.domain.sessions import SessionPolicy
from bai.entrypoints.config.database_urls import backend_name, checked_url
from bai.entrypoints.config.secret_file import TokenSecretError
from bai.entrypoints.config.token_secret import development_token_secret, token_secret_from
from bai.entrypoints.config.variables import BY_NAME, MAX_WECHAT_TIMEOUT, VARIABLES, IPNetwork
from bai.entrypoints.config.wechat_apps import AppsError, PushSettings, WeChatApps, wechat_apps
from bai.entrypoints.http.limits import Limit
from bai.ports.login_code_ledger import CLAIM_SECONDS

PoolMode = Literal["session", "transaction"]


class SettingsError(ValueError):
    """The environment does not describe a service that can start."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """What the environment says, read (defaults and meanings: `variables.VARIABLES`)."""

    token_secret: str  # "" beside PocketBase (its own, read when the container is made) and
    # for commands that sign no token
    host: str
    port: int
    workers: int
    database_url: str
    migration_database_url: str
    database_pool_size: int
    database_pool_mode: PoolMode
    wechat_appid: str
    wechat_secret: str
    wechat_apps_file: str
    wechat_push_token: str
    wechat_push_aes_key: str
    wechat_push_aes_key_previous: str
    wechat_api_base: str
    token_ttl: int
    session_max_age: int
    session_limit: int
    session_retention: int
    push_event_retention: int
    collection_id: str
    env: str
    rate_limit: bool
    rate_limits: Mapping[str, Limit | None]
    trusted_proxies: tuple[IPNetwork, ...]
    metrics_allow: tuple[IPNetwork, ...]
    redis_url: str
    data_dir: Path
    wechat_connect_timeout: float
    wechat_timeout: float
    http_idle_timeout: float
    http_body_timeout: float
    log_level: str
    docs: bool
    console: bool
    console_allow: tuple[IPNetwork, ...]
    wechat_apps: WeChatApps  # the mini-programs, from the three variables above
    warnings: tuple[str, ...] = ()  # what start-up says before it goes on

    @property
    def storage(self) -> str:
        return backend_name(self.database_url)

    @property
    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            max_age=timedelta(seconds=self.session_max_age),
            limit=self.session_limit,
            retention=timedelta(seconds=self.session_retention),
        )

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def uses_sandbox_wechat(self) -> bool:
        return self.wechat_apps.sandbox


def _raw(env: Mapping[str, str], name: str) -> str:
    return env.get(name, "").strip() or BY_NAME[name].default


def _database_url(env: Mapping[str, str], name: str, default: str) -> str:
    """The URL named, with plain PostgreSQL URLs given the asyncpg driver, checked."""
    try:
        return checked_url(_raw(env, name) or default)
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from None


def _read_declared(env: Mapping[str, str]) -> dict[str, Any]:
    """Every variable that fills a field of its own, read by its declaration."""
    values: dict[str, Any] = {}
    for variable in VARIABLES:
        if variable.field:
            try:
                values[variable.field] = variable.read(_raw(env, variable.name))
            except ValueError as exc:
                raise SettingsError(f"{variable.name} {exc}") from None
    return values


def load_settings(env: Mapping[str, str] | None = None, *, signs_tokens: bool = True) -> Settings:
    """`signs_tokens=False` for commands that sign no token (`bai users`, `migrate`,
    `import-pocketbase`): no development secret is made, so they never make a data directory
    where they happen to run."""
    env = os.environ if env is None else env
    values = _read_declared(env)
    data_dir = Path(_raw(env, "BAI_DATA_DIR"))
    database_url = _database_url(env, "BAI_DATABASE_URL", f"sqlite+aiosqlite:///{data_dir}/bai.db")
    beside_pocketbase = backend_name(database_url) == "pocketbase"
    try:
        apps = wechat_apps(
            appid=values["wechat_appid"],
            secret=values["wechat_secret"],
            apps_file=values["wechat_apps_file"],
            production=values["env"] == "production",
            push=PushSettings(
                token=values["wechat_push_token"],
                aes_key=values["wechat_push_aes_key"],
                aes_key_previous=values["wechat_push_aes_key_previous"],
            ),
        )
        secret = token_secret_from(env, production=values["env"] == "production")
        _refuse_missing_secrets(values, secret.value, beside_pocketbase=beside_pocketbase)
        if not (secret.value or beside_pocketbase) and signs_tokens:
            secret = development_token_secret(data_dir)
    except (TokenSecretError, AppsError) as exc:
        raise SettingsError(str(exc)) from exc
    settings = Settings(
        wechat_apps=apps,
        **values,
        token_secret=secret.value,
        warnings=((secret.warning,) if secret.warning else ()) + apps.warnings,
        database_url=database_url,
        migration_database_url=_database_url(env, "BAI_MIGRATION_DATABASE_URL", database_url),
        data_dir=data_dir,
    )
    _refuse_what_cannot_work(settings)
    return settings


def _refuse_missing_secrets(
    values: Mapping[str, Any], token_secret: str, *, beside_pocketbase: bool
) -> None:
    appid, app_secret = values["wechat_appid"], values["wechat_secret"]
    apps_file = values["wechat_apps_file"]
    if beside_pocketbase and token_secret:
        raise SettingsError(
            "with BAI_DATABASE_URL=pocketbase://... the token secret is PocketBase's own:"
            " unset BAI_TOKEN_SECRET and BAI_TOKEN_SECRET_FILE"
        )
    if values["env"] == "production":
        missing = [
            name
            for name, value in [
                ("BAI_WECHAT_APPID (or BAI_WECHAT_APPS_FILE)", appid or apps_file),
                ("BAI_WECHAT_SECRET", app_secret or apps_file),
                ("BAI_TOKEN_SECRET (or BAI_TOKEN_SECRET_FILE)", token_secret or beside_pocketbase),
            ]
            if not value
        ]
        if missing:
            raise SettingsError(f"BAI_ENV=production needs {', '.join(missing)}")
    if appid and not app_secret:
        raise SettingsError("BAI_WECHAT_APPID is set but BAI_WECHAT_SECRET is not")
    if token_secret and not secret_is_long_enough(token_secret):
        raise SettingsError(f"BAI_TOKEN_SECRET must be at least {MIN_SECRET_BYTES} bytes")


def _refuse_what_cannot_work(settings: Settings) -> None:
    """Settings each fine alone that do not work together."""
    if backend_name(settings.migration_database_url) != settings.storage:
        raise SettingsError("BAI_MIGRATION_DATABASE_URL must be the same kind of database")
    if settings.wechat_timeout > MAX_WECHAT_TIMEOUT:
        raise SettingsError(
            f"BAI_WECHAT_TIMEOUT must be at most {MAX_WECHAT_TIMEOUT} seconds (a login code's"
            f" claim lasts {CLAIM_SECONDS})"
        )
    if settings.database_pool_mode == "transaction" and settings.storage != "postgresql":
        raise SettingsError("BAI_DATABASE_POOL_MODE=transaction is for PostgreSQL (PgBouncer)")
    if not backend_of(settings.database_url).shared_by_processes and settings.workers > 1:
        raise SettingsError("BAI_WORKERS > 1 needs shared storage: memory:// lives in one process")
    if not 0 < settings.wechat_connect_timeout <= settings.wechat_timeout:
        raise SettingsError("BAI_WECHAT_CONNECT_TIMEOUT must be > 0 and <= BAI_WECHAT_TIMEOUT")
