"""Every `BAI_*` environment variable, declared once (`Variable`): its name, the `Settings`
field it fills, how its text is read (and its bounds), its default and what it means, in the
order the docs list them (WeChat's in `wechat_variables.py`). `load_settings` reads the
environment through these; `variable_docs.py` prints them for `bai serve --help` and README."""

from bai.adapters.tokens.pocketbase_jwt import DEFAULT_COLLECTION_ID, MIN_SECRET_BYTES
from bai.entrypoints.config.readers import (
    IPNetwork,
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
from bai.entrypoints.config.variable import Variable
from bai.entrypoints.config.wechat_variables import MAX_WECHAT_TIMEOUT, WECHAT_VARIABLES
from bai.entrypoints.http.route_table import ROUTES

__all__ = [
    "BY_NAME",
    "MAX_WECHAT_TIMEOUT",
    "VARIABLES",
    "IPNetwork",
    "Variable",
]


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
    *WECHAT_VARIABLES,
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
        "BAI_SESSION_MAX_AGE",
        "session_max_age",
        whole(60, 315_360_000),
        "2592000",
        "a session's absolute lifetime, seconds from its sign-in (30 days): refresh-token never"
        " gives a token that outlives it; past it the client signs in again with a `wx.login`"
        " code; see [Sessions](#sessions)",
    ),
    Variable(
        "BAI_SESSION_LIMIT",
        "session_limit",
        whole(1, 1000),
        "10",
        "open sessions per user: a new sign-in beyond it ends the user's oldest session",
    ),
    Variable(
        "BAI_SESSION_RETENTION",
        "session_retention",
        whole(0, 315_360_000),
        "2592000",
        "seconds an ended (or expired) session is kept for the record before a sweep removes it"
        " (30 days)",
    ),
    Variable(
        "BAI_PUSH_EVENT_RETENTION",
        "push_event_retention",
        whole(86_400, 315_360_000),
        "31536000",
        "seconds the record of a WeChat push event is kept before a sweep removes it (365"
        " days; a day at least: a replayed push meets its record): what was deleted for whom,"
        " and when",
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
        "BAI_CONSOLE",
        "console",
        switch,
        "on",
        "`off` removes the operator console (`/pb/console/`): it answers 404; see"
        " [Console](#console)",
    ),
    Variable(
        "BAI_CONSOLE_ALLOW",
        "console_allow",
        networks_or_off,
        "127.0.0.0/8,::1/128",
        "comma-separated CIDRs that may reach the console (judged like `BAI_METRICS_ALLOW`);"
        " others get 404; `off`: no one",
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
