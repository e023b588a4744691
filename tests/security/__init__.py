"""The generated access-control matrix (README.md in this folder)."""
