"""The ASGI application the server imports: `bai.entrypoints.asgi:app`."""

import gc

from bai.entrypoints.http.app import create_app
from bai.entrypoints.logs import configure_logging
from bai.entrypoints.settings import load_settings
from bai.entrypoints.tracing import traced
from bai.entrypoints.wiring import container_for

# Each worker is a fresh process (`workers.prepare_workers`): it sets up its own log lines.
settings = load_settings()
configure_logging(settings.log_level)
container = container_for(settings)
app = traced(container, create_app)
# The ~110,000 objects of start-up (modules, Litestar's routes and schemas, the container) live
# as long as the worker: moved out of the collector's sight, a full collection no longer walks
# them (docs/performance.md, change 15).
gc.freeze()
