"""The benchmark's users: written into BAI's tables with COPY, or made through any server's
login route (`--target`, `--peer`), whose codes `u<n>.…` the fake WeChat maps to `o_u<n>`."""

import asyncio
import random
import secrets
import string
import time
from datetime import UTC, datetime

import asyncpg
import httpx
import jwt
from sqlalchemy.engine import make_url

APPID, APP_SECRET, COLLECTION = "wx-bench", "bench-app-secret", "pbc_421601843"
TOKENED_USERS = 2000  # the scenarios' users: their login codes and tokens


async def seed(url: str, users: int, token_secret: str) -> list[str]:
    """Users with openids the fake WeChat gives codes `u0`, `u1`, ...; tokens for the first 2000.
    Past those, rows are made by PostgreSQL itself (`generate_series`); the count triggers are
    off while seeding and the counter is set once at the end, as for an imported table."""
    rng = random.Random(7)
    letters, mixed = string.ascii_lowercase + string.digits, string.ascii_letters + string.digits
    now, exp = datetime.now(UTC), int(time.time()) + 86400
    rows, sessions, tokens = [], [], []
    for n in range(min(users, TOKENED_USERS)):
        pb_id, key = "".join(rng.choices(letters, k=15)), "".join(rng.choices(mixed, k=50))
        rows.append((pb_id, key, f"o_u{n}", str(10**15 + n), f"{n:08X}", now, now))
        sid = "".join(rng.choices(letters, k=15))  # each token's session, as a login begins it
        sessions.append((sid, pb_id, APPID, now, now, "bench"))
        claims = {
            "collectionId": COLLECTION,
            "exp": exp,
            "id": pb_id,
            "refreshable": True,
            "sid": sid,
            "type": "auth",
        }
        tokens.append(jwt.encode(claims, key + token_secret, algorithm="HS256"))
    connection = await asyncpg.connect(dsn(url))
    try:
        columns = [
            "pb_id",
            "token_key",
            "openid",
            "users_id",
            "users_promo_code",
            "created",
            "updated",
        ]
        await connection.execute(
            "ALTER TABLE tbl_auth_users DISABLE TRIGGER tbl_auth_users_counted"
        )
        await connection.copy_records_to_table("tbl_auth_users", records=rows, columns=columns)
        if users > len(rows):
            await connection.execute(GENERATED_USERS, len(rows), users - 1, now)
        await connection.execute("ALTER TABLE tbl_auth_users ENABLE TRIGGER tbl_auth_users_counted")
        await connection.execute(IDENTITIES, APPID)  # what `bai migrate` gives existing users
        await connection.copy_records_to_table(
            "tbl_auth_sessions",
            records=sessions,
            columns=["id", "pb_id", "app", "created", "renewed", "user_agent"],
        )
        await connection.execute(
            "UPDATE tbl_auth_users_count SET total = CASE WHEN slot = 0 THEN $1 ELSE 0 END", users
        )
    finally:
        await connection.close()
    await vacuum(url)
    return tokens


GENERATED_USERS = """
INSERT INTO tbl_auth_users (pb_id, token_key, openid, users_id, users_promo_code, created, updated)
SELECT substr(md5('id' || n), 1, 15), substr(md5('k' || n) || md5('key' || n), 1, 50), 'o_u' || n,
       (1000000000000000 + n)::text, lpad(upper(to_hex(n)), 8, '0'), $3, $3
FROM generate_series($1::bigint, $2::bigint) AS n
"""


IDENTITIES = """
INSERT INTO tbl_auth_identities (appid, openid, pb_id, unionid, created)
SELECT $1, openid, pb_id, unionid, created FROM tbl_auth_users WHERE openid <> ''
"""


async def seed_through_login(base: str, users: int, *, concurrency: int = 16) -> list[str]:
    """Logs users `u0` … `u<users-1>` in through `base`'s login route (registering them), as a
    client would; their tokens, in order."""
    tokens = [""] * users
    run = secrets.token_hex(3)
    pending = iter(range(users))

    async def client(http: httpx.AsyncClient) -> None:
        for n in pending:
            body = {"users_wx_code": f"u{n}.seed-{run}"}
            response = await http.post("/pb/api/wechat/login", json=body)
            if response.status_code != 200:
                raise SystemExit(f"seeding {base}: login u{n} -> {response.status_code}")
            tokens[n] = response.json()["token"]

    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
    return tokens


async def vacuum(url: str) -> None:
    """What autovacuum leaves on tables that have stopped growing: statistics and the
    visibility map (which lets count(*) read the primary key index alone)."""
    connection = await asyncpg.connect(dsn(url))
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
