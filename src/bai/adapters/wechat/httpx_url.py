"""The one private part of httpx that BAI uses, alone here so that a change in httpx shows up in
one place (and in `tests/unit/test_library_workarounds.py`, which fails if httpx changes it).

httpx parses and checks every URL given to a `Request` character by character, in Python: about
50 us for a jscode2session URL with its secret and code (measured here), most of what building a
request to WeChat costs. BAI's URLs to WeChat are a base that httpx parsed once and a query that
BAI encodes itself (`urlencode`, as httpx encodes `params`), so `with_query` puts the two
together without parsing again; the test checks that the result is the URL httpx itself makes
of the same base and `params`."""

import httpx
from httpx._urlparse import ParseResult


def with_query(base: httpx.URL, query: str) -> httpx.URL:
    """`base` with `query` (`urlencode`d) as its query (merged with its own, the slow way, if
    it has one)."""
    parts = base._uri_reference
    if not query:
        return base
    if parts.query is not None or parts.fragment is not None:
        return base.copy_merge_params(query)
    url = httpx.URL.__new__(httpx.URL)
    url._uri_reference = ParseResult(
        parts.scheme,
        parts.userinfo,
        parts.host,
        parts.port,
        parts.path,
        query,
        None,
    )
    return url
