"""How an operator's command ends: what it says on stdout, why it failed on stderr, its status."""

import sys


def printed(out: str, err: str, status: int) -> int:
    if out:
        print(out)
    if err:
        print(err, file=sys.stderr)
    return status
