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

With a backup key (`LIENTHONG_BACKUP_KEY`, or a key file; `lienthong backup --generate-key`)
the archive is encrypted with AES-256-GCM in 1 MiB frames, each authenticated with its
position and whether it is the last, so a changed, reordered or cut-off file fails to decrypt.
"""

from __future__ import annotations

import base64
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
ENCRYPTED_MAGIC = b"LTBAKv1\n"
KEY_ENV = "LIENTHONG_BACKUP_KEY"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Vietnamese."""


@dataclass
class BackupReport:
    """What `create_backup` wrote."""

    path: Path
    encrypted: bool
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


# --- Encryption ------------------------------------------------------------------------------


def generate_key() -> str:
    """A new backup key: 32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def load_key(key_file: Path | None = None) -> bytes | None:
    """The backup key from `key_file`, else from `LIENTHONG_BACKUP_KEY`; None when neither."""
    if key_file is not None:
        try:
            text = Path(key_file).read_text().strip()
        except OSError as exc:
            raise BackupError(
                _("Không đọc được tệp khóa %(path)s: %(error)s")
                % {"path": key_file, "error": exc.strerror}
            ) from None
    else:
        text = os.environ.get(KEY_ENV, "").strip()
        if not text:
            return None
    try:
        key = base64.urlsafe_b64decode(text.encode())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise BackupError(
            _(
                "Khóa sao lưu phải là 32 byte mã hóa base64 (tạo bằng lienthong backup "
                "--generate-key)."
            )
        )
    return key


def _frame_aad(prefix: bytes, index: int, final: bool) -> bytes:
    return ENCRYPTED_MAGIC + prefix + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def encrypt_file(source: Path, target: Path, key: bytes) -> None:
    """`source` encrypted into `target`: magic, an 8-byte random prefix, then frames of
    (4-byte length, AES-GCM ciphertext) whose nonce and associated data hold their index."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(key)
    prefix = os.urandom(8)
    with source.open("rb") as plain, target.open("wb") as out:
        out.write(ENCRYPTED_MAGIC + prefix)
        index = 0
        chunk = plain.read(CHUNK)
        while True:
            following = plain.read(CHUNK)
            final = not following
            nonce = prefix + index.to_bytes(4, "big")
            sealed = aead.encrypt(nonce, chunk, _frame_aad(prefix, index, final))
            out.write(len(sealed).to_bytes(4, "big") + sealed)
            if final:
                break
            chunk, index = following, index + 1


def is_encrypted(path: Path) -> bool:
    try:
        with Path(path).open("rb") as handle:
            return handle.read(len(ENCRYPTED_MAGIC)) == ENCRYPTED_MAGIC
    except OSError:
        return False


def decrypt_file(source: Path, target: Path, key: bytes) -> None:
    """The inverse of `encrypt_file`; BackupError when the key is wrong or the file was changed,
    reordered or cut short."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(key)
    damaged = BackupError(_("Không giải mã được tệp sao lưu: sai khóa, hoặc tệp bị sửa hay thiếu."))
    with source.open("rb") as sealed, target.open("wb") as out:
        head = sealed.read(len(ENCRYPTED_MAGIC) + 8)
        prefix = head[len(ENCRYPTED_MAGIC) :]

        def frame() -> bytes | None:
            size = sealed.read(4)
            if not size:
                return None
            data = sealed.read(int.from_bytes(size, "big")) if len(size) == 4 else b""
            if len(size) != 4 or len(data) != int.from_bytes(size, "big"):
                raise damaged
            return data

        current, index = frame(), 0
        if current is None:
            raise damaged
        while current is not None:
            following = frame()
            nonce = prefix + index.to_bytes(4, "big")
            aad = _frame_aad(prefix, index, final=following is None)
            try:
                out.write(aead.decrypt(nonce, current, aad))
            except InvalidTag:
                raise damaged from None
            current, index = following, index + 1


@contextmanager
def _plain(path: Path, key: bytes | None) -> Iterator[Path]:
    """The archive as a plain tar: `path` itself, or its decryption in a temporary file."""
    path = Path(path)
    if not is_encrypted(path):
        yield path
        return
    if key is None:
        raise BackupError(
            _("Tệp sao lưu đã mã hóa: cần khóa (biến môi trường %(env)s hoặc --key-file).")
            % {"env": KEY_ENV}
        )
    with tempfile.TemporaryDirectory(prefix="lienthong-backup-") as scratch:
        plain = Path(scratch) / "archive.tar"
        decrypt_file(path, plain, key)
        yield plain


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


def create_backup(path: Path | None = None, *, key: bytes | None = None) -> BackupReport:
    """Write an archive of the database and the stored files to `path` (atomically: a half
    written archive is never left under the final name), encrypted when `key` is given."""
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
        if key is not None:
            sealed = Path(scratch) / "archive.tar.enc"
            encrypt_file(partial, sealed, key)
            os.replace(sealed, partial)  # the plain tar is never left beside the sealed one
        os.replace(partial, path)
    return BackupReport(
        path=path,
        encrypted=key is not None,
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


def check_archive(path: Path, *, key: bytes | None = None) -> dict[str, Any]:
    """The archive's manifest, once every member has been read and matches its SHA-256 and size
    and nothing is missing, extra, unsafe (absolute, `..`, links) or unknown (an encrypted
    archive is decrypted with `key` first)."""
    with _plain(path, key) as plain:
        return _check(plain)


def _check(path: Path) -> dict[str, Any]:
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


def restore_backup(path: Path, *, force: bool = False, key: bytes | None = None) -> RestoreReport:
    """Restore an archive made by `create_backup` into the configured database and file areas,
    then verify the audit chain. Nothing is changed when the archive is damaged, is of the
    other engine, or (without `force`) the database or a file area already holds data."""
    with _plain(Path(path), key) as plain:
        return _restore(plain, force=force)


def _restore(path: Path, *, force: bool) -> RestoreReport:
    manifest = _check(path)
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
