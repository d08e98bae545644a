"""The `BAI_WECHAT_*` variables: which mini-programs, and how WeChat is reached."""

from bai.entrypoints.config.readers import base_url, seconds, text
from bai.entrypoints.config.variable import Variable
from bai.ports.login_code_ledger import CLAIM_SECONDS

# A whole WeChat call ends well within a login code's claim, so the claim cannot lapse under it.
MAX_WECHAT_TIMEOUT = 20.0

WECHAT_VARIABLES = (
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
        "BAI_WECHAT_PUSH_TOKEN",
        "wechat_push_token",
        text,
        "",
        "the Token of the mini-program's message push (消息推送), for one app without an apps"
        " file; see [WeChat push events](#wechat-push-events)",
    ),
    Variable(
        "BAI_WECHAT_PUSH_AES_KEY",
        "wechat_push_aes_key",
        text,
        "",
        "its EncodingAESKey (43 characters)",
    ),
    Variable(
        "BAI_WECHAT_PUSH_AES_KEY_PREVIOUS",
        "wechat_push_aes_key_previous",
        text,
        "",
        "the EncodingAESKey before it, also tried while the key is changed",
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
)
