"""How `bai serve` starts its workers: fresh processes that share one metrics directory."""

import atexit
import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

from bai.adapters.prometheus.metrics import MULTIPROCESS_DIR


def prepare_workers() -> None:
    """Before Granian starts the workers.

    prometheus_client decides at import whether values go to files (multiprocess mode), and
    this process has imported it already: forked workers would inherit that decision, so they
    are started fresh (`spawn`) and import it again with `PROMETHEUS_MULTIPROC_DIR` set. The
    directory is the operator's, emptied now (values of an earlier run must not add up with
    this one's), or a new one removed when the server stops."""
    multiprocessing.set_start_method("spawn", force=True)
    given = os.environ.get(MULTIPROCESS_DIR)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("*.db"):
            old.unlink()
        return
    made = tempfile.mkdtemp(prefix="bai-metrics-")
    os.environ[MULTIPROCESS_DIR] = made
    atexit.register(shutil.rmtree, made, ignore_errors=True)
