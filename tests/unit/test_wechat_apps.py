"""`BAI_WECHAT_APPS_FILE` and the Referer that picks an app: every refusal is one line at start
(exit 2) that names no secret; a one-app deployment means what it meant."""

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bai.domain.apps import SANDBOX_APPID, Apps
from bai.domain.errors import UnknownApp
from bai.entrypoints.cli import main
from bai.entrypoints.config.settings import SettingsError, load_settings
from bai.entrypoints.http.mini_program import named_app

SHOP, CARD, STAFF = "wx1111111111111111", "wx2222222222222222", "wx3333333333333333"


def settings_for(tmp_path: Path, apps_file: str, **env: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "apps.toml"
    path.write_text(apps_file)
    return load_settings(
        {"BAI_DATA_DIR": str(tmp_path), "BAI_WECHAT_APPS_FILE": str(path), **env},
        signs_tokens=False,
    )


def test_several_apps_come_from_the_file_primary_first(tmp_path: Path) -> None:
    (tmp_path / "card.secret").write_text("card-secret\n")
    (tmp_path / "card.secret").chmod(0o600)
    settings = settings_for(
        tmp_path,
        f"""
[[app]]
appid = "{CARD}"
name = "会员卡"
secret_file = "{tmp_path / "card.secret"}"

[[app]]
appid = "{SHOP}"
secret = "shop-secret"
primary = true
""",
    )

    apps = settings.wechat_apps
    assert [app.appid for app in apps.apps] == [SHOP, CARD]
    assert apps.secrets == {SHOP: "shop-secret", CARD: "card-secret"}
    assert apps.core == Apps(SHOP, (CARD,))
    assert not settings.uses_sandbox_wechat
    assert "secret" not in repr(apps.apps)


def test_one_app_in_a_file_is_the_primary(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, f'[[app]]\nappid = "{SHOP}"\nsecret = "s"\n')

    assert settings.wechat_apps.core == Apps(SHOP)


def test_an_apps_file_without_secrets_runs_on_the_sandbox_for_each_app(tmp_path: Path) -> None:
    settings = settings_for(
        tmp_path, f'[[app]]\nappid = "{SHOP}"\nprimary = true\n[[app]]\nappid = "{CARD}"\n'
    )

    assert settings.uses_sandbox_wechat
    assert settings.wechat_apps.core == Apps(SHOP, (CARD,))


def test_one_app_from_the_environment_is_as_before(tmp_path: Path) -> None:
    settings = load_settings(
        {"BAI_DATA_DIR": str(tmp_path), "BAI_WECHAT_APPID": SHOP, "BAI_WECHAT_SECRET": "s"},
        signs_tokens=False,
    )

    assert settings.wechat_apps.core == Apps(SHOP)
    assert settings.wechat_apps.secrets == {SHOP: "s"}


def test_no_app_at_all_is_the_lenient_sandbox(tmp_path: Path) -> None:
    settings = load_settings({"BAI_DATA_DIR": str(tmp_path)}, signs_tokens=False)

    apps = settings.wechat_apps.core
    assert settings.uses_sandbox_wechat
    assert apps.resolve(SHOP) == apps.resolve(None) == SANDBOX_APPID  # devtools name the real app


TWO = f'[[app]]\nappid = "{SHOP}"\nsecret = "s1"\n[[app]]\nappid = "{CARD}"\nsecret = "s2"\n'


@pytest.mark.parametrize(
    ("content", "env", "reason"),
    [
        (TWO, {}, "exactly one app has primary = true (no app has it)"),
        (
            TWO.replace('"s1"', '"s1"\nprimary = true').replace('"s2"', '"s2"\nprimary = true'),
            {},
            f"exactly one app has primary = true ({SHOP}, {CARD} all have it)",
        ),
        (TWO.replace(CARD, SHOP), {}, f"appid {SHOP} is listed twice"),
        ("[[app]\nappid=", {}, "is not TOML"),
        ("", {}, "has no [[app]] table"),
        ("app = 3", {}, "has no [[app]] table"),
        (f'[[app]]\nappid = "{SHOP}"\nsecert = "typo"\n', {}, "unknown key 'secert'"),
        ('[[app]]\nappid = "has space"\nsecret = "s"\n', {}, "appid must be 1..64 characters"),
        (f'[[app]]\nappid = "{SHOP}"\nsecret = 3\n', {}, "secret must be a string"),
        (
            f'[[app]]\nappid = "{SHOP}"\nsecret = "s"\nsecret_file = "/x"\n',
            {},
            "set secret or secret_file, not both",
        ),
        (
            f'[[app]]\nappid = "{SHOP}"\nsecret_file = "/nonexistent/secret"\n',
            {},
            f"app {SHOP}: secret_file",
        ),
        (
            TWO.replace('secret = "s2"\n', "").replace('"s1"', '"s1"\nprimary = true'),
            {},
            f"app {CARD} has no secret: give every app one, or none (the sandbox)",
        ),
        (
            f'[[app]]\nappid = "{SHOP}"\n',
            {"BAI_ENV": "production", "BAI_TOKEN_SECRET": "x" * 40},
            f"app {SHOP} has no secret (BAI_ENV=production needs one)",
        ),
        (TWO, {"BAI_WECHAT_APPID": SHOP}, "set BAI_WECHAT_APPS_FILE or BAI_WECHAT_APPID"),
        (
            f'[[app]]\nappid = "{SHOP}"\nsecret = "s"\npush_aes_key = "short"\n',
            {},
            "push_aes_key must be 43 characters",
        ),
        (
            f'[[app]]\nappid = "{SHOP}"\nsecret = "s"\npush_aes_key = "{"A" * 42}!"\n',
            {},
            "push_aes_key must be 43 characters of base64",
        ),
        (
            f'[[app]]\nappid = "{SHOP}"\nsecret = "s"\npush_token = "t"\n',
            {},
            "push_token and push_aes_key go together",
        ),
        (
            f'[[app]]\nappid = "{SHOP}"\nsecret = "s"\npush_aes_key_previous = "{"A" * 43}"\n',
            {},
            "push_aes_key_previous needs push_aes_key",
        ),
        (
            f'[[app]]\nappid = "{SHOP}"\nsecret = "s1"\n',
            {"BAI_WECHAT_PUSH_TOKEN": "t"},
            "give push settings in its [[app]] tables",
        ),
    ],
)
def test_an_apps_file_that_cannot_serve_is_refused_in_one_line_naming_no_secret(  # noqa: PLR0917
    content: str,
    env: dict[str, str],
    reason: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SettingsError, match="BAI_WECHAT_APPS_FILE") as refused:
        settings_for(tmp_path, content, **env)
    assert reason in str(refused.value)
    assert "s1" not in str(refused.value)

    monkeypatch.setenv("BAI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BAI_WECHAT_APPS_FILE", str(tmp_path / "apps.toml"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert reason in err
    assert len(err.strip().splitlines()) == 1


def test_an_unreadable_apps_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot be read"):
        load_settings(
            {"BAI_DATA_DIR": str(tmp_path), "BAI_WECHAT_APPS_FILE": str(tmp_path / "none")},
            signs_tokens=False,
        )


@pytest.mark.parametrize("version", ["0", "devtools", "12"])
def test_wechats_referer_names_the_app(version: str) -> None:
    referer = f"https://servicewechat.com/{CARD}/{version}/page-frame.html"

    assert named_app(referer) == CARD


@pytest.mark.parametrize(
    "referer",
    [
        None,
        "",
        "https://example.com/",
        f"http://servicewechat.com/{CARD}/0/page-frame.html",
        f"https://servicewechat.com/{CARD}/0/index.html",
        f"https://servicewechat.com.evil/{CARD}/0/page-frame.html",
        f"https://servicewechat.com/{CARD}/page-frame.html",
    ],
)
def test_anything_else_names_no_app(referer: str | None) -> None:
    assert named_app(referer) is None


@given(st.text(max_size=300))
def test_any_referer_names_no_app_or_one_the_apps_judge(referer: str) -> None:
    apps = Apps(SHOP, (CARD,))
    named = named_app(referer)
    try:
        chosen = apps.resolve(named)
    except UnknownApp:
        assert named is not None
        assert named not in apps
    else:
        assert chosen in apps.all
        assert chosen == (named if named is not None else SHOP)


@given(st.sampled_from([SHOP, CARD, STAFF, "wx-x"]))
def test_only_configured_apps_are_served(named: str) -> None:
    apps = Apps(SHOP, (CARD,))

    if named in {SHOP, CARD}:
        assert apps.resolve(named) == named
    else:
        with pytest.raises(UnknownApp):
            apps.resolve(named)


ONE = f'[[app]]\nappid = "{SHOP}"\nsecret = "s"\n'


def test_an_apps_file_that_is_a_link_or_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    real = tmp_path / "real.toml"
    real.write_text(ONE)
    (tmp_path / "link.toml").symlink_to(real)
    os.mkfifo(tmp_path / "fifo.toml")

    for name, why in [("link.toml", "a symbolic link"), ("fifo.toml", "a FIFO")]:
        with pytest.raises(SettingsError, match=why):
            load_settings(
                {"BAI_DATA_DIR": str(tmp_path), "BAI_WECHAT_APPS_FILE": str(tmp_path / name)},
                signs_tokens=False,
            )


def test_an_apps_file_others_can_write_is_warned_about_and_refused_in_production(
    tmp_path: Path,
) -> None:
    path = tmp_path / "apps.toml"
    path.write_text(ONE)
    path.chmod(0o666)
    env = {"BAI_DATA_DIR": str(tmp_path), "BAI_WECHAT_APPS_FILE": str(path)}

    settings = load_settings(env, signs_tokens=False)
    with pytest.raises(SettingsError, match="can be written by others"):
        load_settings(
            {**env, "BAI_ENV": "production", "BAI_TOKEN_SECRET": "x" * 40}, signs_tokens=False
        )

    assert any("can be written by others" in warning for warning in settings.warnings)


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"BAI_WECHAT_PUSH_TOKEN": "t"}, "BAI_WECHAT_PUSH_TOKEN and BAI_WECHAT_PUSH_AES_KEY go"),
        ({"BAI_WECHAT_PUSH_AES_KEY": "short"}, "BAI_WECHAT_PUSH_AES_KEY must be 43 characters"),
    ],
)
def test_one_apps_push_settings_from_the_environment_are_checked_at_start(
    env: dict[str, str],
    reason: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BAI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BAI_WECHAT_APPID", SHOP)
    monkeypatch.setenv("BAI_WECHAT_SECRET", "s1")
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert reason in err
    assert len(err.strip().splitlines()) == 1


def test_one_apps_push_settings_from_the_environment_are_its_own(tmp_path: Path) -> None:
    key = "K" * 43
    apps = load_settings(
        {
            "BAI_DATA_DIR": str(tmp_path),
            "BAI_WECHAT_APPID": SHOP,
            "BAI_WECHAT_SECRET": "s1",
            "BAI_WECHAT_PUSH_TOKEN": "t",
            "BAI_WECHAT_PUSH_AES_KEY": key,
        }
    ).wechat_apps

    assert (apps.primary.push_token, apps.primary.push_aes_key) == ("t", key)
    assert key not in repr(apps)
