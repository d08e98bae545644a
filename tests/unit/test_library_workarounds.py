"""The private attributes BAI sets, each alone in a module named for it: these tests fail when
the library behind one changes, so that the workaround is revisited, not silently lost."""

import logging
import os

import aiohttp
import pytest

from bai.adapters.wechat.aiohttp_send_once import never_resend
from bai.entrypoints.observability.logging_speedups import skip_what_no_line_prints


async def test_aiohttp_still_resends_by_default_and_never_resend_turns_it_off() -> None:
    async with aiohttp.ClientSession() as session:
        assert session._retry_connection is True  # what aiohttp does unless told otherwise

        assert never_resend(session)._retry_connection is False


def test_logging_still_looks_callers_up_through_srcfile(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "_srcfile" in vars(logging)  # the standard library still has it
    # as logging sets it at import (another test's app may have switched it off already)
    monkeypatch.setattr(
        logging, "_srcfile", os.path.normcase(logging.addLevelName.__code__.co_filename)
    )
    for name in ("logThreads", "logProcesses", "logMultiprocessing"):
        monkeypatch.setattr(logging, name, getattr(logging, name))

    skip_what_no_line_prints()

    assert vars(logging)["_srcfile"] is None
