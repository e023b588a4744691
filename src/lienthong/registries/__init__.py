"""Shared registries (cơ sở dữ liệu dùng chung): one Django app per registry."""
