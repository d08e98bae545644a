"""Which mini-program a request names: the `Referer` WeChat puts on every `wx.request`,
`https://servicewechat.com/{appid}/{version}/page-frame.html` (mini-program code cannot change
it; `{version}` `0` and `devtools` are development builds). Only a hint: WeChat refuses a code
sent with another app's credentials."""

import re

_PAGE_FRAME = re.compile(
    r"https://servicewechat\.com/([^/?#]{1,200})/[^/?#]{1,64}/page-frame\.html"
)


def named_app(referer: str | None) -> str | None:
    """The app id a WeChat `Referer` names; None for no Referer or one of another shape (a
    browser, a tool), which means the primary app."""
    if not referer:
        return None
    match = _PAGE_FRAME.fullmatch(referer)
    return match.group(1) if match else None
