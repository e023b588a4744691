"""Backups: the database and the stored files in one archive, checked before anything is restored.

An archive is a plain tar file (`pg_dump`'s custom format is compressed already; gzip over a
large SQLite file would cost more time than it saves) holding:

- `database/lienthong.sqlite3` — a consistent copy made with SQLite's online backup API while
  the platform runs, or `database/lienthong.pgdump` — `pg_dump --format=custom`;
- `files/<area>/…` — the stored files: uploads (`media`) and the message log's bodies
  (`exchange-bodies`);
- `manifest.json` — format, engine, time, the audit chain's head when the copy was taken, and the
  SHA-256 and size of every other member.

`restore` reads the whole archive and checks every digest before it changes anything, refuses
an archive of the other database engine and (without `force`) a database or file area that is
not empty, restores the database in one step (SQLite's backup API into the target file;
`pg_restore --single-transaction`), then the files, and finally verifies the audit chain.
The secret key is not in the archive: keep `<data dir>/secret_key` (or `SECRET_KEY`) apart.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import ChainReport, head_state, verify_chain

FORMAT = "lienthong-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/lienthong.sqlite3"
PGDUMP_MEMBER = "database/lienthong.pgdump"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Vietnamese."""


@dataclass
class BackupReport:
    """What `create_backup` wrote."""

    path: Path
    engine: str
    size: int
    members: int
    audit_count: int
    audit_hash: str


@dataclass
class RestoreReport:
    """What `restore_backup` did and what the audit chain says afterwards."""

    engine: str
    files: int
    audit_expected: tuple[int, str]
    audit_found: tuple[int, str]
    chain: ChainReport

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.audit_found[0] >= self.audit_expected[0]


def engine() -> str:
    """`sqlite` or `postgresql`: the engine of the configured database."""
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def file_areas() -> dict[str, Path]:
    """The folders of stored files an archive carries, by their name in it."""
    bodies = getattr(settings, "LIENTHONG", {}).get("EXCHANGE_BODY_DIR")
    return {
        "media": Path(settings.MEDIA_ROOT),
        "exchange-bodies": Path(bodies) if bodies else Path(settings.DATA_DIR) / "exchange-bodies",
    }


def default_path() -> Path:
    """`<data dir>/backups/lienthong-<engine>-YYYYmmdd-HHMMSS.tar`."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"lienthong-{engine()}-{stamp}.tar"


# --- PostgreSQL command-line tools ---------------------------------------------------------------


def _pg_command(program: str) -> tuple[list[str], dict[str, str]]:
    """`pg_dump`/`pg_restore` with the connection of the default database (password by env)."""
    db = settings.DATABASES["default"]
    path = shutil.which(program)
    if path is None:
        raise BackupError(
            _("Không tìm thấy %(program)s: cài gói postgresql-client cùng phiên bản máy chủ.")
            % {"program": program}
        )
    args = [path, "--dbname", str(db["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        raise BackupError(_("%(what)s thất bại: %(detail)s") % {"what": what, "detail": detail[0]})


# --- Creating --------------------------------------------------------------------------------


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _dump_database(folder: Path) -> tuple[str, Path]:
    """A consistent copy of the database in `folder`: (member name, file)."""
    if engine() == "postgresql":
        target = folder / "lienthong.pgdump"
        args, env = _pg_command("pg_dump")
        _run([*args, "--format=custom", "--no-owner", "--file", str(target)], env, "pg_dump")
        return PGDUMP_MEMBER, target
    target = folder / "lienthong.sqlite3"
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    copy = sqlite3.connect(str(target))
    try:
        # Page by page under a read transaction: writers go on, the copy is one moment's state.
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return SQLITE_MEMBER, target


def _area_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Regular files under `root` with their path relative to it (symlinks are not followed)."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink() and not name.startswith(".tmp"):
                yield path.relative_to(root).as_posix(), path


def create_backup(path: Path | None = None) -> BackupReport:
    """Write an archive of the database and the stored files to `path` (atomically: a half
    written archive is never left under the final name)."""
    path = Path(path) if path is not None else default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    audit_count, audit_hash = head_state()  # before the copy: the copy holds at least this
    members: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as scratch:
        member, dump = _dump_database(Path(scratch))
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            members[member] = {"sha256": _sha256_of(dump), "size": dump.stat().st_size}
            archive.add(dump, arcname=member, recursive=False)
            for area, root in file_areas().items():
                for relative, file in _area_files(root):
                    name = f"files/{area}/{relative}"
                    members[name] = {"sha256": _sha256_of(file), "size": file.stat().st_size}
                    archive.add(file, arcname=name, recursive=False)
            manifest = {
                "format": FORMAT,
                "engine": engine(),
                "created_at": timezone.now().isoformat(),
                "audit": {"count": audit_count, "last_hash": audit_hash},
                "members": members,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o644
            archive.addfile(info, io.BytesIO(data))
        os.replace(partial, path)
    return BackupReport(
        path=path,
        engine=engine(),
        size=path.stat().st_size,
        members=len(members),
        audit_count=audit_count,
        audit_hash=audit_hash,
    )


# --- Checking --------------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts and bool(pure.parts)


@contextmanager
def _open(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        with tarfile.open(path, "r:") as archive:
            yield archive
    except FileNotFoundError:
        raise BackupError(_("Không có tệp sao lưu %(path)s.") % {"path": path}) from None
    except tarfile.TarError as exc:
        raise BackupError(
            _("%(path)s không phải tệp sao lưu hợp lệ: %(error)s") % {"path": path, "error": exc}
        ) from None


def _manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = archive.extractfile(MANIFEST)
    except KeyError:
        handle = None
    if handle is None:
        raise BackupError(_("Tệp sao lưu không có manifest.json."))
    try:
        manifest = json.loads(handle.read())
    except ValueError:
        raise BackupError(_("manifest.json của tệp sao lưu hỏng.")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("Tệp sao lưu không đúng định dạng %(format)s.") % {"format": FORMAT})
    return manifest


def check_archive(path: Path) -> dict[str, Any]:
    """The archive's manifest, once every member has been read and matches its SHA-256 and size
    and nothing is missing, extra, unsafe (absolute, `..`, links) or unknown."""
    problems: list[str] = []
    with _open(Path(path)) as archive:
        manifest = _manifest(archive)
        expected: dict[str, dict[str, Any]] = manifest.get("members") or {}
        seen: set[str] = set()
        for info in archive:
            if info.name == MANIFEST:
                continue
            if not info.isfile() or not _safe_name(info.name):
                problems.append(_("thành phần không an toàn: %(name)s") % {"name": info.name})
                continue
            want = expected.get(info.name)
            if want is None:
                problems.append(_("thành phần lạ: %(name)s") % {"name": info.name})
                continue
            seen.add(info.name)
            handle = archive.extractfile(info)
            assert handle is not None
            digest, size = hashlib.sha256(), 0
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
            if digest.hexdigest() != want.get("sha256") or size != want.get("size"):
                problems.append(_("sai mã băm: %(name)s") % {"name": info.name})
        for name in sorted(set(expected) - seen):
            problems.append(_("thiếu thành phần: %(name)s") % {"name": name})
    if problems:
        raise BackupError(
            _("Tệp sao lưu hỏng hoặc bị sửa, không khôi phục: %(problems)s")
            % {"problems": "; ".join(problems[:10])}
        )
    return manifest


# --- Restoring -------------------------------------------------------------------------------


def _database_is_empty() -> bool:
    return "django_migrations" not in connection.introspection.table_names()


def _area_is_empty(root: Path) -> bool:
    return next(_area_files(root), None) is None


def _copy_member(archive: tarfile.TarFile, name: str, target: IO[bytes]) -> None:
    handle = archive.extractfile(name)
    assert handle is not None
    shutil.copyfileobj(handle, target, CHUNK)


def _restore_database(archive: tarfile.TarFile, member: str, scratch: Path, force: bool) -> None:
    dump = scratch / PurePosixPath(member).name
    with dump.open("wb") as target:
        _copy_member(archive, member, target)
    if member == PGDUMP_MEMBER:
        args, env = _pg_command("pg_restore")
        extra = ["--clean", "--if-exists"] if force else []
        connection.close()  # our own session must not hold locks on what is replaced
        _run(
            [
                *args,
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *extra,
                str(dump),
            ],
            env,
            "pg_restore",
        )
        return
    connection.close()
    source = sqlite3.connect(str(dump))
    target_db = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=30)
    try:
        # Replaces the whole target database in one step, WAL included.
        source.backup(target_db)
    finally:
        target_db.close()
        source.close()


def _restore_files(archive: tarfile.TarFile, areas: dict[str, Path]) -> int:
    count = 0
    for info in archive:
        parts = PurePosixPath(info.name).parts
        if len(parts) < 3 or parts[0] != "files" or parts[1] not in areas:
            continue
        target = areas[parts[1]].joinpath(*parts[2:])
        target.parent.mkdir(parents=True, exist_ok=True)
        aside = target.with_name(f".tmp-restore-{target.name}")
        with aside.open("wb") as handle:
            _copy_member(archive, info.name, handle)
        os.replace(aside, target)
        count += 1
    return count


def restore_backup(path: Path, *, force: bool = False) -> RestoreReport:
    """Restore an archive made by `create_backup` into the configured database and file areas,
    then verify the audit chain. Nothing is changed when the archive is damaged, is of the
    other engine, or (without `force`) the database or a file area already holds data."""
    path = Path(path)
    manifest = check_archive(path)
    here = engine()
    if manifest.get("engine") != here:
        raise BackupError(
            _("Tệp sao lưu của cơ sở dữ liệu %(theirs)s, không khôi phục vào %(ours)s được.")
            % {"theirs": manifest.get("engine"), "ours": here}
        )
    member = PGDUMP_MEMBER if here == "postgresql" else SQLITE_MEMBER
    if member not in manifest["members"]:
        raise BackupError(_("Tệp sao lưu không có cơ sở dữ liệu."))
    areas = file_areas()
    if not force:
        if not _database_is_empty():
            raise BackupError(_("Cơ sở dữ liệu đích đã có dữ liệu; dùng --force để ghi đè."))
        busy = [name for name, root in areas.items() if not _area_is_empty(root)]
        if busy:
            raise BackupError(
                _("Thư mục tệp đích đã có dữ liệu (%(areas)s); dùng --force để ghi đè.")
                % {"areas": ", ".join(busy)}
            )
    with _open(path) as archive, tempfile.TemporaryDirectory(prefix="lienthong-restore-") as tmp:
        _restore_database(archive, member, Path(tmp), force)
        files = _restore_files(archive, areas)
    audit = manifest.get("audit") or {}
    expected = (int(audit.get("count", 0)), str(audit.get("last_hash", "")))
    # The head read when the backup began is an anchor: the restored chain must hold it (the
    # copy may have more entries, written while it was taken, but never other ones).
    chain = verify_chain(anchors=[expected] if expected[0] else [])
    return RestoreReport(
        engine=here, files=files, audit_expected=expected, audit_found=head_state(), chain=chain
    )
