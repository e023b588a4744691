"""`lienthong serve`: the platform behind gunicorn (a production WSGI server, never runserver).

The command is a small supervisor: it checks that the database is migrated and the static files
collected, then runs gunicorn and, with `--with-worker`, the outbox relay (`lienthong worker`) as
child processes. When one child stops, it stops the other, so the pair lives and dies together.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

STOP_TIMEOUT = 30  # seconds a child gets to finish after SIGTERM before SIGKILL


def default_workers() -> int:
    """Gunicorn processes: one per core, at least two so one slow request never blocks all."""
    return max(2, os.cpu_count() or 1)


def split_bind(bind: str) -> tuple[str, int] | None:
    """Host and port of a TCP bind address (`127.0.0.1:8000`, `[::1]:8000`); None for unix:."""
    if bind.startswith(("unix:", "fd://")):
        return None
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit():
        raise CommandError(
            _("Địa chỉ --bind không hợp lệ: %(bind)s (dạng đúng: 127.0.0.1:8000).") % {"bind": bind}
        )
    return host.strip("[]") or "0.0.0.0", int(port)


def ensure_port_free(bind: str) -> None:
    """Fail clearly when the address is taken, rather than let gunicorn retry and give up."""
    address = split_bind(bind)
    if address is None:
        return
    host, port = address
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(
                _("Không mở được %(bind)s: %(error)s. Cổng đang bận? Chọn cổng khác bằng --bind.")
                % {"bind": bind, "error": exc.strerror or exc}
            ) from exc


def unapplied_migrations() -> list[str]:
    """Names of the migrations not yet applied to the default database."""
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CommandError(
            _("Không kết nối được cơ sở dữ liệu: %(error)s") % {"error": exc}
        ) from exc
    finally:
        connections.close_all()
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def static_manifest_missing() -> bool:
    """True when hashed static files are in use but `collectstatic` has not written them."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return False
    return not staticfiles_storage.manifest_storage.exists(staticfiles_storage.manifest_name)


class Command(BaseCommand):
    help = _("Chạy nền tảng bằng gunicorn (máy chủ WSGI thật), kèm bộ chuyển sự kiện.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default="127.0.0.1:8000",
            help=_("Địa chỉ lắng nghe (mặc định 127.0.0.1:8000)."),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help=_("Số tiến trình gunicorn (mặc định: số lõi CPU, ít nhất 2)."),
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=4,
            help=_(
                "Số luồng mỗi tiến trình (mặc định 4). Với SQLite và nhiều lượt ghi, "
                "dùng --workers 4 --threads 1 (xem docs/performance.md)."
            ),
        )
        parser.add_argument(
            "--access-log",
            action=argparse.BooleanOptionalAction,
            default=True,
            help=_(
                "Ghi một dòng nhật ký truy cập cho mỗi yêu cầu (mặc định: có). "
                "--no-access-log khi máy chủ phía trước (nginx) đã ghi."
            ),
        )
        parser.add_argument(
            "--timeout", type=int, default=60, help=_("Giây tối đa cho một yêu cầu (mặc định 60).")
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help=_("Chạy kèm `lienthong worker` (chuyển sự kiện outbox) như tiến trình con."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bind: str = options["bind"]
        if options["workers"] < 1 or options["threads"] < 1 or options["timeout"] < 1:
            raise CommandError(_("--workers, --threads và --timeout phải là số nguyên dương."))
        split_bind(bind)  # a malformed address fails here, before any other check
        if pending := unapplied_migrations():
            raise CommandError(
                _(
                    "Cơ sở dữ liệu chưa được cập nhật: còn %(count)d migration chưa áp dụng "
                    "(%(first)s …). Chạy `lienthong migrate` trước."
                )
                % {"count": len(pending), "first": pending[0]}
            )
        if static_manifest_missing():
            raise CommandError(
                _(
                    "Chưa có tệp tĩnh trong %(root)s: "
                    "chạy `lienthong collectstatic --noinput` trước."
                )
                % {"root": settings.STATIC_ROOT}
            )
        ensure_port_free(bind)

        children: dict[str, subprocess.Popen[bytes]] = {}
        children["gunicorn"] = subprocess.Popen(self.gunicorn_command(options))
        if options["with_worker"]:
            if "worker" in get_commands():
                worker = [sys.executable, "-m", "lienthong.cli", "worker"]
                children["worker"] = subprocess.Popen(worker)
                self.stdout.write(_("Bộ chuyển sự kiện (lienthong worker) đã chạy kèm."))
            else:
                self.stderr.write(
                    _(
                        "Chưa có lệnh `lienthong worker`: "
                        "máy chủ web chạy không kèm bộ chuyển sự kiện."
                    )
                )
        scheme = "http" if settings.INSECURE_HTTP else "https"
        self.stdout.write(
            _(
                "Liên Thông chạy tại %(url)s (gunicorn: %(workers)d tiến trình × %(threads)d "
                "luồng). Nhấn Ctrl-C để dừng."
            )
            % {
                "url": f"{scheme}://{bind}",
                "workers": options["workers"],
                "threads": options["threads"],
            }
        )
        self.stdout.flush()
        code = self.supervise(children)
        if code != 0:
            message = _("Máy chủ dừng với mã lỗi %(code)d.") % {"code": code}
            raise CommandError(message, returncode=code)

    @staticmethod
    def gunicorn_command(options: dict[str, Any]) -> list[str]:
        """The gunicorn command line: threaded workers, access log (unless turned off) on
        stdout."""
        from gunicorn.config import KNOWN_SETTINGS

        # Recent gunicorn releases open a control socket at one fixed path in $HOME by default; two
        # servers on one machine (demo and tests) would fight over it, and nothing here uses it.
        extra = (
            ["--no-control-socket"]
            if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS)
            else []
        )
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "lienthong.wsgi:application",
            "--bind",
            options["bind"],
            "--worker-class",
            "gthread",
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--timeout",
            str(options["timeout"]),
            "--graceful-timeout",
            "20",
            # Recycle workers now and then so a slow leak never grows without bound.
            "--max-requests",
            "5000",
            "--max-requests-jitter",
            "500",
            # One line per request, written under a lock all threads share: a tenth of a
            # lookup's time (docs/performance.md), so it can be left to the proxy in front.
            *(["--access-logfile", "-"] if options.get("access_log", True) else []),
            "--error-logfile",
            "-",
            *extra,
        ]

    def supervise(self, children: dict[str, subprocess.Popen[bytes]]) -> int:
        """Wait until a child stops or we are told to stop; then stop the rest. Returns the code."""
        stopping: list[int] = []

        def forward(signum: int, frame: FrameType | None) -> None:
            stopping.append(signum)
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            first: str | None = None
            while first is None:
                first = next((n for n, c in children.items() if c.poll() is not None), None)
                if first is None:
                    time.sleep(0.2)
            if not stopping:
                self.stderr.write(
                    _("Tiến trình %(name)s đã dừng (mã %(code)s); dừng các tiến trình còn lại.")
                    % {"name": first, "code": children[first].returncode}
                )
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for child in children.values():
                try:
                    child.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if stopping:
            return 0  # stopped on request (Ctrl-C, SIGTERM): however the children ended
        code = children[first].returncode
        return code if code > 0 else 1
