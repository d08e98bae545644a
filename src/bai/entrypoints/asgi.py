"""The ASGI application the server imports: `bai.entrypoints.asgi:app`."""

from bai.entrypoints.http.app import create_app

app = create_app()
