"""Records that skip gathering what no BAI line prints, as the logging HOWTO's "Optimization"
section describes. Its last switch, `logging._srcfile`, is private; it is set here alone, and
`tests/unit/test_library_workarounds.py` fails if the standard library drops it."""

import logging

SWITCH = "_srcfile"


def skip_what_no_line_prints() -> None:
    """No thread, process or caller lookups per record."""
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    if not hasattr(logging, SWITCH):
        raise RuntimeError(f"logging has no {SWITCH}: see {__name__}")
    setattr(logging, SWITCH, None)
