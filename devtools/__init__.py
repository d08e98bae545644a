"""Helpers for working on BAI on this machine, shared by the tests and the scripts (not part of
the package): a PostgreSQL database to throw away, a free loopback port, network namespaces."""
