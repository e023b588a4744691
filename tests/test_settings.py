"""Settings: production defaults pass `check --deploy`, the environment is honoured, SQLite is in
WAL mode, Vietnamese first with English available, bad values stop start-up with their name."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

LIENTHONG = [sys.executable, "-m", "lienthong.cli"]
DUMP_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG, "SECRET_KEY": s.SECRET_KEY, "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
    "DB": {k: db.get(k) for k in ("ENGINE", "NAME", "HOST", "PORT", "USER", "PASSWORD")},
    "NATS_URL": s.NATS_URL, "EMAIL_HOST": s.EMAIL_HOST, "EMAIL_PORT": s.EMAIL_PORT,
    "EMAIL_HOST_USER": s.EMAIL_HOST_USER, "EMAIL_HOST_PASSWORD": s.EMAIL_HOST_PASSWORD,
    "EMAIL_USE_TLS": s.EMAIL_USE_TLS, "EMAIL_USE_SSL": s.EMAIL_USE_SSL,
    "DEFAULT_FROM_EMAIL": s.DEFAULT_FROM_EMAIL, "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT, "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE, "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "LANGUAGE_CODE": s.LANGUAGE_CODE, "LANGUAGES": [code for code, _ in s.LANGUAGES],
    "TIME_ZONE": s.TIME_ZONE, "USE_TZ": s.USE_TZ, "STATIC_ROOT": str(s.STATIC_ROOT),
    "STATICFILES_BACKEND": s.STORAGES["staticfiles"]["BACKEND"],
}))
"""


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


def production_settings(env: dict[str, str]) -> dict:
    env = {**env, "DJANGO_SETTINGS_MODULE": "lienthong.settings"}
    result = run([sys.executable, "-c", DUMP_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([*LIENTHONG, "check", "--deploy", "--fail-level", "WARNING"], env)


def check_ids(output: str) -> set[str]:
    return set(re.findall(r"\((security\.[A-Z]\d+)\)", output))


# --- check --deploy -------------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_defaults(clean_env: dict[str, str]) -> None:
    # given nothing but a data directory: DEBUG off, no SECRET_KEY, no LIENTHONG_INSECURE_HTTP
    # when
    result = deploy_check(clean_env)
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stderr == ""


def test_check_deploy_is_clean_with_secret_key_and_hosts_from_environment(
    clean_env: dict[str, str],
) -> None:
    env = {
        **clean_env,
        "SECRET_KEY": "k3Y-" + "x7Qv9Lm2Rt8Wz4Np6Hs1Jd5Fg3Bc0Ya" * 2,
        "ALLOWED_HOSTS": "dichvucong.binhduong.gov.vn",
    }
    result = deploy_check(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_debug(clean_env: dict[str, str]) -> None:
    result = deploy_check({**clean_env, "DEBUG": "1"})
    assert result.returncode == 1
    # DEBUG also turns off the HTTPS defaults (for local development), and check says so.
    assert check_ids(result.stderr) == {
        "security.W004",
        "security.W008",
        "security.W012",
        "security.W016",
        "security.W018",
    }


def test_check_deploy_flags_plain_http_mode(clean_env: dict[str, str]) -> None:
    # The demo's plain-HTTP switch is visible to `check --deploy`, never silently accepted.
    result = deploy_check({**clean_env, "LIENTHONG_INSECURE_HTTP": "1"})
    assert result.returncode == 1
    assert check_ids(result.stderr) == {
        "security.W004",
        "security.W008",
        "security.W012",
        "security.W016",
    }


def test_check_deploy_flags_weak_secret_key(clean_env: dict[str, str]) -> None:
    result = deploy_check({**clean_env, "SECRET_KEY": "short"})
    assert result.returncode == 1
    assert check_ids(result.stderr) == {"security.W009"}


# --- values from the environment and their defaults ----------------------------------------


def test_production_defaults(clean_env: dict[str, str]) -> None:
    data_dir = Path(clean_env["LIENTHONG_DATA_DIR"])
    values = production_settings(clean_env)
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert values["CSRF_TRUSTED_ORIGINS"] == []
    assert values["DB"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DB"]["NAME"] == str(data_dir / "lienthong.sqlite3")
    assert values["NATS_URL"] == ""
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("127.0.0.1", 25)
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["LANGUAGE_CODE"] == "vi"
    assert values["LANGUAGES"] == ["vi", "en"]
    assert values["TIME_ZONE"] == "Asia/Ho_Chi_Minh"
    assert values["USE_TZ"] is True
    assert values["STATIC_ROOT"] == str(data_dir / "static")
    assert (
        values["STATICFILES_BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_environment_is_honoured(clean_env: dict[str, str]) -> None:
    env = {
        **clean_env,
        "DATABASE_URL": "postgresql://lienthong:m%C3%A2t%20kh%E1%BA%A9u@db.internal:6543/lt_prod",
        "SECRET_KEY": "a-key-from-the-vault-" + "9" * 40,
        "ALLOWED_HOSTS": "dichvucong.binhduong.gov.vn, .binhduong.gov.vn",
        "CSRF_TRUSTED_ORIGINS": "https://dichvucong.binhduong.gov.vn",
        "NATS_URL": "nats://nats.internal:4222",
        "EMAIL_HOST": "smtp.binhduong.gov.vn",
        "EMAIL_PORT": "587",
        "EMAIL_HOST_USER": "no-reply",
        "EMAIL_HOST_PASSWORD": "smtp-secret",
        "EMAIL_USE_TLS": "true",
        "DEFAULT_FROM_EMAIL": "Dịch vụ công <no-reply@binhduong.gov.vn>",
    }
    values = production_settings(env)
    assert values["DB"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "lt_prod",
        "HOST": "db.internal",
        "PORT": 6543,
        "USER": "lienthong",
        "PASSWORD": "mât khẩu",
    }
    assert values["SECRET_KEY"] == env["SECRET_KEY"]
    assert values["ALLOWED_HOSTS"] == ["dichvucong.binhduong.gov.vn", ".binhduong.gov.vn"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://dichvucong.binhduong.gov.vn"]
    assert values["NATS_URL"] == "nats://nats.internal:4222"
    assert values["EMAIL_HOST"] == "smtp.binhduong.gov.vn"
    assert values["EMAIL_PORT"] == 587
    assert (values["EMAIL_HOST_USER"], values["EMAIL_HOST_PASSWORD"]) == ("no-reply", "smtp-secret")
    assert (values["EMAIL_USE_TLS"], values["EMAIL_USE_SSL"]) == (True, False)
    assert values["DEFAULT_FROM_EMAIL"] == "Dịch vụ công <no-reply@binhduong.gov.vn>"
    # A key from the environment is never written to disk.
    assert not (Path(clean_env["LIENTHONG_DATA_DIR"]) / "secret_key").exists()


def test_empty_database_url_means_sqlite(clean_env: dict[str, str]) -> None:
    values = production_settings({**clean_env, "DATABASE_URL": ""})
    assert values["DB"]["ENGINE"] == "django.db.backends.sqlite3"


def test_plain_http_mode_turns_off_only_the_https_settings(clean_env: dict[str, str]) -> None:
    values = production_settings({**clean_env, "LIENTHONG_INSECURE_HTTP": "1"})
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert (
        values["STATICFILES_BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_generated_secret_key_is_kept_private_and_reused(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    # given no SECRET_KEY: the first start generates one in the data directory
    first = production_settings(clean_env)["SECRET_KEY"]
    key_file = Path(clean_env["LIENTHONG_DATA_DIR"]) / "secret_key"
    assert key_file.read_text() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 64
    # when started again, the same key is used (sessions survive a restart)
    assert production_settings(clean_env)["SECRET_KEY"] == first
    # and another data directory gets a key of its own
    other = production_settings({**clean_env, "LIENTHONG_DATA_DIR": str(tmp_path / "other")})
    assert other["SECRET_KEY"] != first
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["secret_key"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EMAIL_PORT", "hai mươi lăm", "EMAIL_PORT phải là số nguyên, không phải 'hai mươi lăm'."),
        ("DB_CONN_MAX_AGE", "60s", "DB_CONN_MAX_AGE phải là số nguyên, không phải '60s'."),
        (
            "DATABASE_URL",
            "mysql://root@127.0.0.1/lienthong",
            "DATABASE_URL phải bắt đầu bằng sqlite:// hoặc postgresql:// (không hỗ trợ mysql).",
        ),
        ("DATABASE_URL", "127.0.0.1:5432/lienthong", "DATABASE_URL không hợp lệ: "),
    ],
)
def test_bad_environment_stops_start_up_with_its_name(
    clean_env: dict[str, str], name: str, value: str, message: str
) -> None:
    result = run([*LIENTHONG, "check"], {**clean_env, name: value})
    assert result.returncode == 1
    # one line naming the variable, no traceback
    assert result.stderr.startswith(f"Lỗi cấu hình: {message}")
    assert "Traceback" not in result.stderr
    # nothing was created on the way: no database file, no key
    assert not Path(clean_env["LIENTHONG_DATA_DIR"], "lienthong.sqlite3").exists()


# --- SQLite in WAL mode ----------------------------------------------------------------------

PRAGMAS = """
from django.db import connection
with connection.cursor() as cursor:
    values = []
    for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous"):
        cursor.execute(f"PRAGMA {pragma}")
        values.append(str(cursor.fetchone()[0]))
print(" ".join(values))
"""


def test_sqlite_runs_in_wal_mode(clean_env: dict[str, str]) -> None:
    # given a fresh SQLite database
    # when a connection asks SQLite itself
    result = run([*LIENTHONG, "shell", "-v", "0", "-c", PRAGMAS], clean_env)
    # then: WAL, foreign keys enforced, 30 s busy timeout, synchronous=NORMAL (1)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "1", "30000", "1"]
    db = Path(clean_env["LIENTHONG_DATA_DIR"], "lienthong.sqlite3")
    # WAL is a property of the file: a plain sqlite3 connection sees it too.
    import sqlite3

    with sqlite3.connect(db) as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_sqlite_checkpoints_every_10000_wal_pages(clean_env: dict[str, str]) -> None:
    # given a fresh SQLite database, when a connection asks SQLite itself
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA wal_autocheckpoint')\n"
        "    print(cursor.fetchone()[0])\n"
    )
    result = run([*LIENTHONG, "shell", "-v", "0", "-c", script], clean_env)
    # then the checkpoint waits for 10,000 pages (SQLite's default is 1,000)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["10000"]


DUMP_CONNECTIONS = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({"CONN_MAX_AGE": db["CONN_MAX_AGE"], "OPTIONS": db.get("OPTIONS", {})}))
"""


@pytest.mark.parametrize(
    ("url", "max_age", "expected"),
    [
        # SQLite keeps its connections like PostgreSQL: opening one costs more than a lookup.
        ("", "", 60),
        ("", "0", 0),
        ("postgresql://lienthong@db.internal:5432/lt_prod", "", 60),
        ("postgresql://lienthong@db.internal:5432/lt_prod", "300", 300),
    ],
)
def test_connections_are_kept_for_db_conn_max_age_on_both_databases(
    clean_env: dict[str, str], url: str, max_age: str, expected: int
) -> None:
    env = {**clean_env, "DJANGO_SETTINGS_MODULE": "lienthong.settings", "DATABASE_URL": url}
    if max_age:
        env["DB_CONN_MAX_AGE"] = max_age
    result = run([sys.executable, "-c", DUMP_CONNECTIONS], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["CONN_MAX_AGE"] == expected


def test_postgresql_binds_values_on_the_server(clean_env: dict[str, str]) -> None:
    env = {
        **clean_env,
        "DJANGO_SETTINGS_MODULE": "lienthong.settings",
        "DATABASE_URL": "postgresql://lienthong@db.internal:5432/lt_prod?sslmode=require",
    }
    result = run([sys.executable, "-c", DUMP_CONNECTIONS], env)
    assert result.returncode == 0, result.stderr
    # the URL's own options are kept beside it
    assert json.loads(result.stdout)["OPTIONS"] == {
        "sslmode": "require",
        "server_side_binding": True,
    }


# --- language and time -----------------------------------------------------------------------


@pytest.mark.django_db
def test_vietnamese_is_the_default_language(client: Client) -> None:
    response = client.get("/")
    assert response["Content-Language"] == "vi"


@pytest.mark.django_db
def test_english_is_available(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_unlisted_language_falls_back_to_vietnamese(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "vi"


def test_time_zone_is_ho_chi_minh_city() -> None:
    assert timezone.get_current_timezone_name() == "Asia/Ho_Chi_Minh"


@pytest.mark.django_db
def test_unknown_host_is_refused(client: Client) -> None:
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400


def test_api_docs_load_nothing_from_other_sites(client: Client) -> None:
    # given the OpenAPI page, when it is rendered, then every script and style is local
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', html) == []
