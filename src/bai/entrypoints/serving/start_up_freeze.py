"""The objects of start-up kept out of the garbage collector's way.

why: docs/performance.md#start-up-objects-frozen
"""

import gc


def freeze_start_up_objects() -> None:
    """Call once the app is built: the modules, Litestar's routes and schemas and the container
    live as long as the worker, so a full collection need not walk them."""
    gc.freeze()
