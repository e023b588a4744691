"""Suite-wide pytest set-up: the database leg in the header, a record of what the leg ran, and
fixtures to run `lienthong` in a subprocess (`clean_env`, `leg_env`).

`make test` sets LIENTHONG_TEST_LEG (sqlite, postgresql) and LIENTHONG_TEST_RESULTS (a folder);
at the end of the session this file writes `<leg>.json` there (counts, browser tests run and
skipped, exit status) and `<leg>.txt` (one line for the summary). `.ci/run` reads the JSON to
fail when the PostgreSQL leg did not run or a browser test was skipped.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

_LEG_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_EXIT_WORDS = {
    0: "passed",
    1: "FAILED",
    2: "INTERRUPTED",
    3: "INTERNAL ERROR",
    4: "USAGE ERROR",
    5: "FAILED: no tests collected",
}


def _clean_env(folder: Path) -> dict[str, str]:
    home = folder / "home"
    home.mkdir(parents=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LIENTHONG_DATA_DIR": str(folder / "data"),
    }
    if "PYTHONPATH" in os.environ:  # the subprocess imports the code under test, not another
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


@contextmanager
def _leg_database(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """`env` plus, on the PostgreSQL leg, DATABASE_URL of a new empty database, dropped at the
    end; on the SQLite leg `env` as it is (its data directory gets a new SQLite file)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        yield env
        return
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    name = f"lt_sub_{uuid.uuid4().hex[:12]}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    user, password = db.get("USER") or "", db.get("PASSWORD") or ""
    given = {"host": host, "port": port, "user": user, "password": password}
    server = make_conninfo("", dbname="postgres", **{key: val for key, val in given.items() if val})
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    credentials = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    url = f"postgresql://{credentials}@{host}:{port}/{name}"
    try:
        yield {**env, "DATABASE_URL": url}
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """An environment for running `lienthong` in a subprocess with nothing inherited: only PATH,
    a HOME and a data directory (SQLite database, secret key, static files) of its own."""
    return _clean_env(tmp_path)


@pytest.fixture
def leg_env(clean_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """`clean_env` plus, on the PostgreSQL leg, DATABASE_URL of a new empty database that is
    dropped afterwards; on the SQLite leg the subprocess gets a new SQLite file in its data dir."""
    with _leg_database(clean_env) as env:
        yield env


@pytest.fixture
def second_leg_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Another `leg_env`, with a home, data directory and (PostgreSQL) database of its own: a
    second installation, e.g. to restore a backup into."""
    with _leg_database(_clean_env(tmp_path / "second")) as env:
        yield env


@pytest.fixture(scope="session")
def clamd_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real clamd (Debian's clamav-daemon) with a test signature database, started once."""
    from lienthong.core.clamd_testing import running_clamd

    with running_clamd(tmp_path_factory.mktemp("clamd")) as address:
        yield address


@pytest.fixture
def clamd(clamd_address: str, settings: Any) -> str:
    """Uploads are scanned by the real clamd for this test (`LIENTHONG["MALWARE_SCANNER"]`)."""
    settings.LIENTHONG = {**settings.LIENTHONG, "MALWARE_SCANNER": clamd_address}
    return clamd_address


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    test_name = db.get("TEST", {}).get("NAME") or f"test_{db['NAME']}"
    return f"lienthong database leg: {db['ENGINE'].rsplit('.', 1)[-1]} (test database {test_name})"


class LegRecorder:
    """Counts outcomes, browser tests apart, and writes them when the session ends."""

    def __init__(self, leg: str, folder: Path) -> None:
        self.leg = leg
        self.folder = folder
        self.outcomes: Counter[str] = Counter()
        self.browser: Counter[str] = Counter()
        self.browser_skip_reasons: list[str] = []

    @staticmethod
    def _is_browser(report: pytest.TestReport | pytest.CollectReport) -> bool:
        keywords = getattr(report, "keywords", {})
        return "browser" in keywords or report.nodeid.startswith("tests/browser/")

    def _skip_reason(self, report: pytest.TestReport | pytest.CollectReport) -> str:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        return f"{report.nodeid}: {reason}"

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # One outcome per phase that decided something, as pytest's own summary counts them:
        # the call, or a setup/teardown that failed (error) or skipped.
        if report.when == "call" or report.outcome != "passed":
            if hasattr(report, "wasxfail"):
                outcome = "xfailed" if report.skipped else "xpassed"
            elif report.when != "call" and report.outcome == "failed":
                outcome = "error"
            else:
                outcome = report.outcome
            self.outcomes[outcome] += 1
            if self._is_browser(report):
                self.browser[outcome] += 1
                if report.skipped:
                    self.browser_skip_reasons.append(self._skip_reason(report))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # A whole module can skip at import (pytest.importorskip) or fail to import.
        if report.skipped or report.failed:
            outcome = "skipped" if report.skipped else "error"
            self.outcomes[outcome] += 1
            if self._is_browser(report):
                self.browser[outcome] += 1
                if report.skipped:
                    self.browser_skip_reasons.append(self._skip_reason(report))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        record = {
            "leg": self.leg,
            "engine": engine,
            "exitstatus": int(exitstatus),
            "passed": self.outcomes["passed"],
            "failed": self.outcomes["failed"],
            "errors": self.outcomes["error"],
            "skipped": self.outcomes["skipped"],
            "browser": {
                "passed": self.browser["passed"],
                "failed": self.browser["failed"] + self.browser["error"],
                "skipped": self.browser["skipped"],
            },
            "browser_skip_reasons": self.browser_skip_reasons,
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{self.leg}.json").write_text(json.dumps(record, indent=2) + "\n")
        (self.folder / f"{self.leg}.txt").write_text(self.summary(record) + "\n")

    @staticmethod
    def summary(record: dict) -> str:
        """One line: the leg, its verdict and its counts."""
        title = _LEG_TITLES.get(record["leg"], record["leg"])
        verdict = _EXIT_WORDS.get(record["exitstatus"], f"exit {record['exitstatus']}")
        browser = record["browser"]
        line = (
            f"{title} leg ({record['engine']}): {verdict} — {record['passed']} passed, "
            f"{record['failed']} failed, {record['errors']} errors, {record['skipped']} skipped; "
            f"browser tests: {browser['passed']} passed, {browser['skipped']} skipped"
        )
        reasons = record["browser_skip_reasons"]
        if reasons:
            line += f" (first skip: {reasons[0]})"
        return line


def pytest_configure(config: pytest.Config) -> None:
    leg = os.environ.get("LIENTHONG_TEST_LEG")
    folder = os.environ.get("LIENTHONG_TEST_RESULTS")
    # Only the xdist controller (or a plain run) records; workers report to it.
    if leg and folder and not hasattr(config, "workerinput"):
        config.pluginmanager.register(LegRecorder(leg, Path(folder)), "lienthong-leg-recorder")


@pytest.fixture(autouse=True)
def _isolate_process_state() -> Iterator[None]:
    """Per-process state must not leak between tests: the working-day cache (a holiday
    created in a rolled-back test), the intake's procedure cache and the active language (a
    request made in English)."""
    from django.conf import settings
    from django.utils import translation

    from lienthong.core.calendar import invalidate_cache
    from lienthong.onestop.intake import invalidate_catalogue_cache

    invalidate_cache()
    invalidate_catalogue_cache()
    with translation.override(settings.LANGUAGE_CODE):
        yield
    invalidate_cache()
    invalidate_catalogue_cache()
