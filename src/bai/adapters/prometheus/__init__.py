"""Prometheus: what BAI counts, in prometheus_client's multiprocess mode under `bai serve`."""
