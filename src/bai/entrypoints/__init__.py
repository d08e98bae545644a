"""Ways in: the HTTP API, the command line and the wiring between them and the core."""
