"""`lienthong check --deploy` on a production-like installation: every setting a province would
set in the environment, the leg's database (a new PostgreSQL database on the PostgreSQL leg), and
the database checks on (`--database default`). The defaults alone, and what DEBUG, the plain-HTTP
demo switch and a weak secret key make it say, are tested in tests/test_settings.py.
"""

from __future__ import annotations

import subprocess
import sys

PRODUCTION = {
    "SECRET_KEY": "Pq7-" + "t4Zk9Vb2Nm6Xc8Lr3Hw5Jy1Gd0Fs7Ae" * 2,
    "ALLOWED_HOSTS": "dichvucong.binhduong.gov.vn,api.binhduong.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://dichvucong.binhduong.gov.vn",
    "LIENTHONG_PUBLIC_URL": "https://dichvucong.binhduong.gov.vn",
    "LIENTHONG_PROVINCE_NAME": "Tỉnh Bình Dương",
    "EMAIL_HOST": "mail.binhduong.gov.vn",
}


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "lienthong.cli", "check", "--deploy", "--database", "default"]
    return subprocess.run(
        [*command, "--fail-level", "WARNING"], env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_on_a_production_like_installation(
    leg_env: dict[str, str],
) -> None:
    # given the environment of a production installation on this leg's database
    env = {**leg_env, **PRODUCTION}
    # when
    result = deploy_check(env)
    # then not one warning, and none silenced
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stderr == ""


def test_the_same_check_fails_when_https_is_switched_off(leg_env: dict[str, str]) -> None:
    # given the same installation served over plain HTTP (the demo's switch)
    env = {**leg_env, **PRODUCTION, "LIENTHONG_INSECURE_HTTP": "1"}
    # when
    result = deploy_check(env)
    # then the check refuses it: the test above can fail
    assert result.returncode == 1
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr
