"""Every `BAI_*` environment variable, declared once: its name, the `Settings` field it fills,
how its text is read (and its bounds), its default and what it means. `load_settings` reads the
environment through these; `variable_docs.py` prints them for `bai serve --help` and README."""

from dataclasses import dataclass

from bai.adapters.tokens.pocketbase_jwt import DEFAULT_COLLECTION_ID, MIN_SECRET_BYTES
from bai.entrypoints.config.readers import (
    IPNetwork,
    Reader,
    base_url,
    choice,
    limits,
    networks,
    networks_or_off,
    redis_url,
    seconds,
    switch,
    text,
    whole,
)
from bai.entrypoints.http.route_table import ROUTES
from bai.ports.login_code_ledger import CLAIM_SECONDS

# A whole WeChat call ends well within a login code's claim, so the claim cannot lapse under it.
MAX_WECHAT_TIMEOUT = 20.0
__all__ = [
    "BY_NAME",
    "MAX_WECHAT_TIMEOUT",
    "VARIABLES",
    "IPNetwork",
    "Variable",
]


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    field: str  # the `Settings` field; "" where the loader combines it with others
    read: Reader  # text (stripped; the default when unset) -> value; ValueError says why not
    default: str  # what an unset variable means, as text ("" for nothing)
    meaning: str
    shown_default: str = ""  # how the docs show the default, when not the text itself

    @property
    def documented_default(self) -> str:
        return self.shown_default or (f"`{self.default}`" if self.default else "none")


SCALING = "see [Scaling out](#scaling-out)"
VARIABLES = (
    Variable("BAI_HOST", "host", text, "127.0.0.1", "where `bai serve` listens"),
    Variable("BAI_PORT", "port", whole(1, 65535), "8090", "the port `bai serve` listens on"),
    Variable(
        "BAI_WORKERS", "workers", whole(1, 64), "1", "server processes; `memory://` allows only 1"
    ),
    Variable(
        "BAI_DATABASE_URL",
        "",
        text,
        "",
        "storage: `postgresql+asyncpg://user:pass@host:5432/db` (plain `postgresql://` gets the"
        " asyncpg driver), `sqlite+aiosqlite:///path`, `pocketbase://SUPERUSER_EMAIL:PASSWORD@HOST"
        ":PORT` (users kept in a live PocketBase; `pocketbase+https://` for TLS), or `memory://`"
        " (one process, lost on restart). URL-encode the user name and the password (`p@ss/w#rd`"
        " as `p%40ss%2Fw%23rd`): a URL that cannot be read as meant is refused; no part of a"
        " password is ever printed",
        shown_default="`sqlite+aiosqlite:///$BAI_DATA_DIR/bai.db`",
    ),
    Variable(
        "BAI_MIGRATION_DATABASE_URL",
        "",
        text,
        "",
        "a direct connection to the same database for migrations and their advisory lock"
        " (needed behind PgBouncer in transaction mode)",
        shown_default="`BAI_DATABASE_URL`",
    ),
    Variable(
        "BAI_DATABASE_POOL_SIZE",
        "database_pool_size",
        whole(1, 200),
        "10",
        f"PostgreSQL connections each worker opens (all at start); {SCALING}",
    ),
    Variable(
        "BAI_DATABASE_POOL_MODE",
        "database_pool_mode",
        choice("session", "transaction"),
        "session",
        "`transaction` when `BAI_DATABASE_URL` points at PgBouncer in transaction pooling mode:"
        " no prepared statements are kept across transactions",
    ),
    Variable(
        "BAI_WECHAT_APPID",
        "wechat_appid",
        text,
        "",
        "the mini-program's app id; unset: the sandbox WeChat (not in production)",
    ),
    Variable("BAI_WECHAT_SECRET", "wechat_secret", text, "", "the mini-program's app secret"),
    Variable(
        "BAI_WECHAT_APPS_FILE",
        "wechat_apps_file",
        text,
        "",
        "a TOML file of several mini-programs, one `[[app]]` table each (`appid`, `secret` or"
        " `secret_file`, `name`, `primary`, push settings), instead of `BAI_WECHAT_APPID` and"
        " `BAI_WECHAT_SECRET`; see [Several mini-programs](#several-mini-programs)",
    ),
    Variable(
        "BAI_WECHAT_API_BASE",
        "wechat_api_base",
        base_url,
        "https://api.weixin.qq.com",
        "WeChat's server API",
    ),
    Variable(
        "BAI_WECHAT_CONNECT_TIMEOUT",
        "wechat_connect_timeout",
        seconds(0, 3600),
        "2",
        "seconds to connect to WeChat",
    ),
    Variable(
        "BAI_WECHAT_TIMEOUT",
        "wechat_timeout",
        seconds(0, 3600),
        "5",
        f"seconds for a whole WeChat call (at most {MAX_WECHAT_TIMEOUT:g}: a login code's claim"
        f" lasts {CLAIM_SECONDS} s)",
    ),
    Variable(
        "BAI_TOKEN_SECRET",
        "",
        text,
        "",
        f"the collection secret, at least {MIN_SECRET_BYTES} bytes; beside PocketBase it is"
        " PocketBase's own and is not set",
        shown_default="dev: made once, kept in `$BAI_DATA_DIR/token_secret`",
    ),
    Variable(
        "BAI_TOKEN_SECRET_FILE",
        "",
        text,
        "",
        "a file holding the collection secret instead (the Docker secrets convention; what `bai"
        " import-pocketbase` writes); setting both is an error. A regular file itself, not a"
        " link, FIFO or directory (Kubernetes: mount the secret with `subPath`, or set"
        " `BAI_TOKEN_SECRET` from it); if others can write it or its folder, production refuses it"
        " and development warns",
    ),
    Variable(
        "BAI_TOKEN_TTL", "token_ttl", whole(60, 31_536_000), "604800", "token lifetime, seconds"
    ),
    Variable(
        "BAI_COLLECTION_ID",
        "collection_id",
        text,
        DEFAULT_COLLECTION_ID,
        "the `collectionId` claim (PocketBase's id of `tbl_auth_users`; `bai import-pocketbase`"
        " prints the one to set; beside PocketBase it is read from PocketBase)",
    ),
    Variable(
        "BAI_ENV",
        "env",
        choice("development", "production"),
        "development",
        "`production` refuses to start without app id, app secret and token secret",
    ),
    Variable(
        "BAI_RATE_LIMIT", "rate_limit", switch, "on", "`off` disables rate limiting (benchmarks)"
    ),
    Variable(
        "BAI_RATE_LIMITS",
        "rate_limits",
        limits,
        "",
        "per-route limits: comma-separated `ROUTE=REQUESTS/SECONDS` or `ROUTE=off`, routes"
        f" {', '.join(f'`{route.name}`' for route in ROUTES)}; routes not named keep"
        " their default. Example: `login=100/60,health=20/1`",
        shown_default="see [Security](#security)",
    ),
    Variable(
        "BAI_TRUSTED_PROXIES",
        "trusted_proxies",
        networks,
        "",
        "comma-separated CIDRs whose `X-Forwarded-For` is believed, e.g. `127.0.0.1/32,10.0.0.0/8`",
    ),
    Variable(
        "BAI_METRICS_ALLOW",
        "metrics_allow",
        networks_or_off,
        "127.0.0.0/8,::1/128",
        "comma-separated CIDRs that may read `GET /metrics` (the client address as resolved"
        " through `BAI_TRUSTED_PROXIES`); others get 404; `off`: no one",
    ),
    Variable(
        "BAI_HTTP_IDLE_TIMEOUT",
        "http_idle_timeout",
        seconds(1, 3600),
        "30",
        "seconds a connection may wait for a request's headers before it is closed",
    ),
    Variable(
        "BAI_HTTP_BODY_TIMEOUT",
        "http_body_timeout",
        seconds(1, 3600),
        "10",
        "seconds a request's body may take to arrive whole; later: 408",
    ),
    Variable(
        "BAI_REDIS_URL",
        "redis_url",
        redis_url,
        "",
        "`redis://host:6379/0`: rate-limit counters, the WeChat access token and the login code"
        " ledger shared by every process and host",
    ),
    Variable(
        "BAI_LOG_LEVEL",
        "log_level",
        choice("debug", "info", "warning", "error"),
        "info",
        "the least severe log lines written (`warning` drops the access lines)",
    ),
    Variable(
        "BAI_DOCS",
        "docs",
        switch,
        "on",
        "`off` serves neither the interactive docs (`/pb/api/docs`, its assets) nor"
        " `/pb/api/openapi.json`: both answer 404",
    ),
    Variable(
        "BAI_DATA_DIR",
        "",
        text,
        "bai_data",
        "where development state is kept: the generated token secret and the default SQLite file",
    ),
)
BY_NAME = {variable.name: variable for variable in VARIABLES}
