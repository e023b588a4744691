"""The `lienthong` command: Django's management commands under the platform's name.

`lienthong units load`, `lienthong calendar due …`, `lienthong serve`, `lienthong worker`,
`lienthong seed --demo`, `lienthong migrate` … all run here.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["lienthong", *(sys.argv[1:] if argv is None else argv)])
    except ImproperlyConfigured as exc:
        # A bad environment variable: say which, without a traceback.
        sys.exit(f"Lỗi cấu hình: {exc}")


if __name__ == "__main__":
    main()
