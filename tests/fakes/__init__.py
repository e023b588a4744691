"""Fake remote systems for tests: real HTTP servers speaking the remote system's format."""
