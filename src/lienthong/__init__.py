"""Liên Thông — open-source e-government platform for a Vietnamese province."""

__version__ = "0.1.0"
