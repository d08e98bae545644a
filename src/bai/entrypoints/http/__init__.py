"""The Litestar HTTP API of `../shared/openapi.yaml`."""
