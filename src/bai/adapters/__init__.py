"""Implementations of the ports, each named for its technology."""
