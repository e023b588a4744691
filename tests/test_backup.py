"""`lienthong backup` and `lienthong restore` for real, in subprocesses: a restore into a second
installation passes `audit verify` and holds the same rows and files; a damaged archive, an
archive of the other engine and a non-empty target are refused and change nothing.

On the PostgreSQL leg each installation is a new PostgreSQL database (pg_dump / pg_restore); on
the SQLite leg a new SQLite file (the online backup API).
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

LIENTHONG = [sys.executable, "-m", "lienthong.cli"]

# Five audited accounts, one uploaded file and one message-log body.
POPULATE = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from lienthong.accounts.models import User
from lienthong.core.audit import audited
from lienthong.exchange.messagelog import bodies
for n in range(5):
    user = User(username=f"backup{n}", full_name=f"Người thử {n}")
    with audited("test.backup.create", user):
        user.save()
default_storage.save("uploads/giay-to.txt", ContentFile("Giấy tờ đã nộp".encode()))
bodies.store(b'{"body": "exchange"}')
"""

STATE = """
import json
from django.core.files.storage import default_storage
from lienthong.accounts.models import User
from lienthong.core.audit import head_state
from lienthong.exchange.messagelog import bodies
users = User.objects.filter(username__startswith="backup")
names = sorted(users.values_list("username", flat=True))
with default_storage.open("uploads/giay-to.txt") as handle:
    upload = handle.read().decode()
body = bodies.path_of(bodies.digest_of(b'{"body": "exchange"}')).read_bytes().decode()
print(json.dumps({"users": names, "upload": upload, "body": body, "audit": list(head_state())}))
"""


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LIENTHONG, *args], env=env, capture_output=True, text=True, timeout=300)


def ok(args: list[str], env: dict[str, str]) -> str:
    result = run(args, env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def state(env: dict[str, str]) -> dict[str, object]:
    return json.loads(ok(["shell", "-c", STATE], env).strip().splitlines()[-1])


def tables(env: dict[str, str]) -> int:
    code = "from django.db import connection; print(len(connection.introspection.table_names()))"
    return int(ok(["shell", "-c", code], env).strip().splitlines()[-1])


def rewrite(archive: Path, target: Path, *, engine: str | None = None, flip: str = "") -> None:
    """A copy of `archive` with one member's bytes changed (`flip`), or the manifest's engine
    changed and its digests kept true (`engine`)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        manifest = json.loads(source.extractfile("manifest.json").read())  # type: ignore[union-attr]
        for info in source:
            if info.name == "manifest.json":
                continue
            data = bytearray(source.extractfile(info).read())  # type: ignore[union-attr]
            if info.name == flip:
                data[len(data) // 2] ^= 0xFF
            out.addfile(info, io.BytesIO(bytes(data)))
        if engine:
            manifest["engine"] = engine
        raw = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(raw)
        out.addfile(info, io.BytesIO(raw))


def test_a_backup_restored_into_a_new_installation_verifies_and_holds_the_same_data(
    leg_env: dict[str, str], second_leg_env: dict[str, str], tmp_path: Path
) -> None:
    # Given an installation with audited rows, an upload and a message-log body
    ok(["migrate", "--noinput", "-v", "0"], leg_env)
    ok(["shell", "-c", POPULATE], leg_env)
    before = state(leg_env)
    archive = tmp_path / "sao-luu.tar"

    # When it is backed up (without a key: it says the archive is not encrypted) and checked
    made = run(["backup", "-o", str(archive)], leg_env)
    assert made.returncode == 0, made.stderr
    assert f"Đã sao lưu vào {archive}" in made.stdout
    assert "bản sao lưu KHÔNG được mã hóa" in made.stderr
    assert "Tệp sao lưu nguyên vẹn" in ok(["backup", "--check", str(archive)], leg_env)
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    member = (
        "database/lienthong.pgdump" if "DATABASE_URL" in leg_env else "database/lienthong.sqlite3"
    )
    assert {member, "manifest.json", "files/media/uploads/giay-to.txt"} <= names
    assert not list(tmp_path.glob("*.partial"))

    # Then a restore into an empty second installation passes the audit check with the same data
    out = ok(["restore", str(archive)], second_leg_env)
    assert "Nhật ký toàn vẹn" in out
    verify = run(["audit", "verify"], second_leg_env)
    assert verify.returncode == 0, verify.stderr
    after = state(second_leg_env)
    assert after == before
    assert before["users"] == [f"backup{n}" for n in range(5)]
    assert before["upload"] == "Giấy tờ đã nộp"

    # And restoring again over data is refused unless forced
    again = run(["restore", str(archive)], second_leg_env)
    assert again.returncode != 0
    assert "đã có dữ liệu; dùng --force" in again.stderr

    # And a forced restore brings back the backed-up state, dropping what was added since
    code = (
        "from lienthong.accounts.models import User; from lienthong.core.audit import audited\n"
        "u = User(username='backup-late')\n"
        "with audited('test.backup.create', u):\n    u.save()"
    )
    ok(["shell", "-c", code], second_leg_env)
    assert state(second_leg_env)["audit"] != before["audit"]
    ok(["restore", "--force", str(archive)], second_leg_env)
    assert state(second_leg_env) == before
    assert run(["audit", "verify"], second_leg_env).returncode == 0


def test_damaged_foreign_or_sealed_archives_are_refused_and_a_sealed_one_needs_its_key(
    leg_env: dict[str, str], second_leg_env: dict[str, str], tmp_path: Path
) -> None:
    # Given a backup of a populated installation and an empty second installation
    ok(["migrate", "--noinput", "-v", "0"], leg_env)
    ok(["shell", "-c", POPULATE], leg_env)
    archive = tmp_path / "sao-luu.tar"
    ok(["backup", "-o", str(archive)], leg_env)
    pg = "DATABASE_URL" in leg_env
    member = "database/lienthong.pgdump" if pg else "database/lienthong.sqlite3"

    # When one byte of the database dump is changed
    damaged = tmp_path / "hong.tar"
    rewrite(archive, damaged, flip=member)
    checked = run(["backup", "--check", str(damaged)], leg_env)
    refused = run(["restore", str(damaged)], second_leg_env)

    # Then the check and the restore say so and the target stays empty
    assert checked.returncode != 0
    assert f"sai mã băm: {member}" in checked.stderr
    assert refused.returncode != 0
    assert "Tệp sao lưu hỏng hoặc bị sửa, không khôi phục" in refused.stderr
    assert tables(second_leg_env) == 0

    # And an archive of the other engine (digests intact) is refused the same way
    other = tmp_path / "khac.tar"
    rewrite(archive, other, engine="sqlite" if pg else "postgresql")
    refused = run(["restore", str(other)], second_leg_env)
    assert refused.returncode != 0
    assert "không khôi phục vào" in refused.stderr
    assert tables(second_leg_env) == 0

    # And a file that is not an archive at all gets a clear message
    junk = tmp_path / "rac.tar"
    junk.write_bytes(hashlib.sha256(b"x").digest() * 10)
    refused = run(["restore", str(junk)], second_leg_env)
    assert refused.returncode != 0
    assert "không phải tệp sao lưu hợp lệ" in refused.stderr

    # And an archive sealed with a key hides its content and opens only with that key, whole
    before = state(leg_env)
    key = ok(["backup", "--generate-key"], leg_env).strip()
    key_file = tmp_path / "khoa-sao-luu"
    key_file.write_text(key)
    archive = tmp_path / "sao-luu.tar.enc"

    # (backed up with the key)
    made = run(["backup", "-o", str(archive), "--key-file", str(key_file)], leg_env)

    # it is sealed: no readable member name or personal data in it
    assert made.returncode == 0, made.stderr
    assert ", đã mã hóa;" in made.stdout and "KHÔNG được mã hóa" not in made.stderr
    raw = archive.read_bytes()
    assert raw.startswith(b"LTBAKv1\n")
    assert b"manifest.json" not in raw and "Người thử".encode() not in raw

    # And it is refused without the key, with another key, and cut short
    other = tmp_path / "khoa-khac"
    other.write_text(ok(["backup", "--generate-key"], leg_env).strip())
    boundary = 16 + 4 + int.from_bytes(raw[16:20], "big")
    cut = tmp_path / "cut.enc"
    cut.write_bytes(raw[:boundary] if boundary < len(raw) else raw[:16])
    for args, message in (
        ([str(archive)], "Tệp sao lưu đã mã hóa: cần khóa"),
        ([str(archive), "--key-file", str(other)], "sai khóa, hoặc tệp bị sửa hay thiếu"),
        ([str(cut), "--key-file", str(key_file)], "sai khóa, hoặc tệp bị sửa hay thiếu"),
    ):
        refused = run(["restore", *args], second_leg_env)
        assert refused.returncode != 0
        assert message in refused.stderr
    assert tables(second_leg_env) == 0

    # And with the key from the environment it restores whole
    keyed = {**second_leg_env, "LIENTHONG_BACKUP_KEY": key}
    assert "Tệp sao lưu nguyên vẹn" in ok(["backup", "--check", str(archive)], keyed)
    assert "Nhật ký toàn vẹn" in ok(["restore", str(archive)], keyed)
    assert state(keyed) == before
