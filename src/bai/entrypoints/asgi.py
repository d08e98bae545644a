"""The ASGI application the server imports: `bai.entrypoints.asgi:app`."""

from bai.entrypoints.config.settings import load_settings
from bai.entrypoints.http.app import create_app
from bai.entrypoints.observability.logs import configure_logging
from bai.entrypoints.observability.tracing import traced
from bai.entrypoints.serving.start_up_freeze import freeze_start_up_objects
from bai.entrypoints.wiring import container_for

# Each worker is a fresh process (`workers.prepare_workers`): it sets up its own log lines.
settings = load_settings()
configure_logging(settings.log_level)
container = container_for(settings)
app = traced(container, create_app)
freeze_start_up_objects()
