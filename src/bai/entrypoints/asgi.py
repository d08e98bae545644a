"""The ASGI application the server imports: `bai.entrypoints.asgi:app`."""

import gc

from bai.entrypoints.http.app import create_app

app = create_app()
# The ~110,000 objects of start-up (modules, Litestar's routes and schemas, the container) live
# as long as the worker: moved out of the collector's sight, a full collection no longer walks
# them (docs/performance.md, change 15).
gc.freeze()
