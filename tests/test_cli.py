"""The `lienthong` console command, `lienthong serve` behind gunicorn, and `lienthong demo`.

Every test runs the real command in a subprocess with a clean environment; on the PostgreSQL leg
the served database is a new PostgreSQL database (see `leg_env` in conftest.py).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("lienthong")
LIENTHONG = [sys.executable, "-m", "lienthong.cli"]


def run(args: list[str], env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*LIENTHONG, *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def prepare(env: dict[str, str]) -> None:
    """Migrate the subprocess's database and collect static files, as `lienthong demo` does."""
    for args in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        result = run(args, env)
        assert result.returncode == 0, result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


@dataclass
class Served:
    """A running `lienthong serve`: its process, its address and its captured output."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand redirects back to the test instead of following them."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET, without following redirects."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextmanager
def serving(env: dict[str, str], *extra: str) -> Iterator[Served]:
    """Start `lienthong serve` on a free port, wait until it answers, stop it afterwards."""
    port = free_port()
    log = Path(env["HOME"]) / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*LIENTHONG, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", *extra],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(process, port, log)
    try:
        deadline = time.monotonic() + 60
        while not port_open(port):
            assert process.poll() is None, served.output()
            assert time.monotonic() < deadline, served.output()
            time.sleep(0.2)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- the console script ----------------------------------------------------------------------


def test_console_script_lists_the_platform_commands(clean_env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(SCRIPT), "--help"], env=clean_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("\nType 'lienthong help <subcommand>'")
    assert "[core]" in result.stdout
    for command in ("demo", "serve"):
        assert f"    {command}\n" in result.stdout


def test_console_script_refuses_an_unknown_command(clean_env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(SCRIPT), "sevre"], env=clean_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "Unknown command: 'sevre'. Did you mean serve?" in result.stderr


# --- lienthong serve -------------------------------------------------------------------------


def test_serve_runs_gunicorn_and_whitenoise_serves_vendored_static_files(
    leg_env: dict[str, str],
) -> None:
    # given a migrated database and collected static files, over plain HTTP (as `make demo`)
    env = {**leg_env, "LIENTHONG_INSECURE_HTTP": "1"}
    prepare(env)
    manifest = json.loads(Path(env["LIENTHONG_DATA_DIR"], "static/staticfiles.json").read_text())
    (bootstrap,) = [
        path
        for path in manifest["paths"]
        if re.fullmatch(r"vendor/bootstrap-[\d.]+/css/bootstrap\.min\.css", path)
    ]
    hashed_css = manifest["paths"][bootstrap]
    # when served
    with serving(env) as served:
        home_status, home_headers, _ = get(served.base + "/")
        css_status, css_headers, css = get(f"{served.base}/static/{hashed_css}")
        missing_status, _, _ = get(f"{served.base}/static/admin/css/nonexistent.css")
        served.process.send_signal(signal.SIGTERM)
        code = served.process.wait(timeout=40)
    # then gunicorn (not runserver) answered, and whitenoise served the hashed file for a year
    assert home_status in (200, 302)
    assert home_headers["Server"] == "gunicorn"
    assert css_status == 200
    assert css_headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert css.startswith(b'@charset "UTF-8";/*!\n * Bootstrap')
    assert missing_status == 404
    output = served.output()
    assert "Liên Thông chạy tại http://127.0.0.1:" in output
    assert '"GET / HTTP/1.1" ' in output  # the access log
    assert code == 0
    assert not port_open(served.port)


def test_serve_without_access_log_answers_and_logs_no_requests(leg_env: dict[str, str]) -> None:
    # given a prepared platform, served with --no-access-log and one thread per process
    env = {**leg_env, "LIENTHONG_INSECURE_HTTP": "1"}
    prepare(env)
    with serving(env, "--no-access-log", "--threads", "1") as served:
        status, headers, _ = get(served.base + "/")
        served.process.send_signal(signal.SIGTERM)
        code = served.process.wait(timeout=40)
    # then it answered as usual, said how it runs, and wrote no line per request
    assert status in (200, 302)
    assert headers["Server"] == "gunicorn"
    output = served.output()
    assert "(gunicorn: 1 tiến trình × 1 luồng)" in output
    assert '"GET / HTTP/1.1"' not in output
    assert code == 0


def test_serve_redirects_to_https_with_production_defaults(leg_env: dict[str, str]) -> None:
    prepare(leg_env)
    with serving(leg_env) as served:
        status, headers, _ = get(served.base + "/calendar/?x=1")
    assert status == 301
    assert headers["Location"] == f"https://127.0.0.1:{served.port}/calendar/?x=1"


def test_serve_refuses_an_unmigrated_database(leg_env: dict[str, str]) -> None:
    port = free_port()
    result = run(["serve", "--bind", f"127.0.0.1:{port}"], leg_env)
    assert result.returncode == 1
    assert "Cơ sở dữ liệu chưa được cập nhật: còn " in result.stderr
    assert "Chạy `lienthong migrate` trước." in result.stderr
    assert not port_open(port)


def test_serve_refuses_without_collected_static_files(leg_env: dict[str, str]) -> None:
    result = run(["migrate", "--noinput", "-v", "0"], leg_env)
    assert result.returncode == 0, result.stderr
    port = free_port()
    result = run(["serve", "--bind", f"127.0.0.1:{port}"], leg_env)
    assert result.returncode == 1
    static_root = Path(leg_env["LIENTHONG_DATA_DIR"], "static")
    assert f"Chưa có tệp tĩnh trong {static_root}: chạy `lienthong collectstatic" in result.stderr
    assert not port_open(port)


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that something else is listening on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_serve_refuses_a_busy_port(leg_env: dict[str, str], busy_port: int) -> None:
    prepare(leg_env)
    port = busy_port
    result = run(["serve", "--bind", f"127.0.0.1:{port}"], leg_env)
    assert result.returncode == 1
    assert f"Không mở được 127.0.0.1:{port}: Address already in use." in result.stderr
    assert result.stdout == ""  # nothing was started


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bind", "localhost"], "Địa chỉ --bind không hợp lệ: localhost"),
        (["--workers", "0"], "--workers, --threads và --timeout phải là số nguyên dương."),
    ],
)
def test_serve_refuses_bad_options(
    clean_env: dict[str, str], args: list[str], message: str
) -> None:
    # given a data directory with no database at all: options are checked before anything else
    result = run(["serve", *args], clean_env)
    assert result.returncode == 1
    assert message in result.stderr
    assert not Path(clean_env["LIENTHONG_DATA_DIR"], "lienthong.sqlite3").exists()


def test_serve_with_worker_runs_the_relay_beside_gunicorn(leg_env: dict[str, str]) -> None:
    env = {**leg_env, "LIENTHONG_INSECURE_HTTP": "1"}
    prepare(env)
    with serving(env, "--with-worker") as served:
        status, _, _ = get(served.base + "/")
        time.sleep(1)  # let the worker start (or fail) before stopping
        alive = served.process.poll() is None
    output = served.output()
    assert status in (200, 302)
    assert alive, output
    assert "Bộ chuyển sự kiện (lienthong worker) đã chạy kèm." in output
    # serve waits for both children on SIGTERM, and neither stopped on its own before
    assert served.process.returncode == 0, output
    assert "đã dừng (mã" not in output


# --- lienthong demo --------------------------------------------------------------------------


def test_demo_refuses_a_busy_port_before_doing_anything(
    clean_env: dict[str, str], busy_port: int
) -> None:
    result = run(["demo", "--bind", f"127.0.0.1:{busy_port}"], clean_env)
    assert result.returncode == 1
    assert f"Không mở được 127.0.0.1:{busy_port}" in result.stderr
    assert not Path(clean_env["LIENTHONG_DATA_DIR"], "lienthong.sqlite3").exists()


def test_demo_sets_up_everything_and_a_second_run_reuses_it(clean_env: dict[str, str]) -> None:
    # given a fresh data directory
    data_dir = Path(clean_env["LIENTHONG_DATA_DIR"])
    # when the demo is prepared twice
    first = run(["demo", "--no-serve"], clean_env, timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    database = data_dir / "lienthong.sqlite3"
    key = (data_dir / "secret_key").read_text()
    inode = database.stat().st_ino
    second = run(["demo", "--no-serve"], clean_env, timeout=900)
    # then both print the same logins, and the second kept the database and the key
    assert second.returncode == 0, second.stdout + second.stderr
    table = first.stdout.split("Tài khoản trình diễn:\n", 1)[1].strip()
    header, rule, *rows = table.splitlines()
    assert header.split() == ["Vai", "trò", "Tên", "đăng", "nhập", "Mật", "khẩu", "Đơn", "vị"]
    assert set(rule) == {"-", " "}
    assert len(rows) >= 7  # a demo user for every role
    assert second.stdout.split("Tài khoản trình diễn:\n", 1)[1].strip() == table
    assert database.stat().st_ino == inode
    assert (data_dir / "secret_key").read_text() == key
    assert (data_dir / "static" / "staticfiles.json").exists()


# --- make bench (bench/run.py) ---------------------------------------------------------------

BENCH_RUNNER = Path(__file__).resolve().parent.parent / "bench" / "run.py"
COUNTING_SCRIPT = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
print("warming up")
print(json.dumps({"bench": "users.count", "n": get_user_model().objects.count(),
                  "vendor": connection.vendor}))
"""


def run_bench(env: dict[str, str], tmp_path: Path, **scripts: str) -> subprocess.CompletedProcess:
    folder = tmp_path / "scripts"
    folder.mkdir()
    for name, source in scripts.items():
        (folder / f"bench_{name}.py").write_text(source)
    leg = "postgresql" if "DATABASE_URL" in env else "sqlite"
    args = ["--db", leg, "--scripts", str(folder), "--results", str(tmp_path / "results")]
    return subprocess.run(
        [sys.executable, str(BENCH_RUNNER), *args, "--work", str(tmp_path / "work")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_bench_runs_scripts_on_a_fresh_database_and_collects_json(
    leg_env: dict[str, str], tmp_path: Path
) -> None:
    result = run_bench(leg_env, tmp_path, counting=COUNTING_SCRIPT)
    assert result.returncode == 0, result.stdout + result.stderr
    leg = "postgresql" if "DATABASE_URL" in leg_env else "sqlite"
    (results,) = (tmp_path / "results").iterdir()
    machine, record = (json.loads(line) for line in results.read_text().splitlines())
    assert machine["machine"]["cpus"] == os.cpu_count()
    assert record == {
        "date": results.stem,
        "db": leg,
        "script": "counting",
        "bench": "users.count",
        "n": 0,
        "vendor": leg,
    }
    assert "    warming up\n" in result.stdout
    assert f"| {leg} " in result.stdout and "| users.count |" in result.stdout
    assert list((tmp_path / "work").iterdir()) == []  # scratch databases removed


def test_bench_fails_when_a_script_fails_or_prints_nothing(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    result = run_bench(
        clean_env, tmp_path, broken="raise SystemExit(3)", silent="print('no json here')"
    )
    assert result.returncode == 1
    assert "FAILED: sqlite bench_broken.py exited 3" in result.stderr
    assert "FAILED: sqlite bench_silent.py printed no JSON result" in result.stderr


def test_bench_without_scripts_says_so(clean_env: dict[str, str], tmp_path: Path) -> None:
    result = run_bench(clean_env, tmp_path)
    assert result.returncode == 1
    assert "No benchmark to run: no matching bench_*.py in " in result.stderr
    assert not (tmp_path / "results").exists()


# --- make test: what each leg records for .ci/run (conftest.py) ------------------------------

ROOT_CONFTEST = Path(__file__).resolve().parent.parent / "conftest.py"
LOADS_ROOT_CONFTEST = f"""
import importlib.util
spec = importlib.util.spec_from_file_location("lienthong_root_conftest", {str(ROOT_CONFTEST)!r})
root = importlib.util.module_from_spec(spec)
spec.loader.exec_module(root)
pytest_configure = root.pytest_configure
"""


def run_recorded_suite(
    clean_env: dict[str, str], tmp_path: Path, files: dict[str, str], record: bool = True
) -> tuple[subprocess.CompletedProcess, Path]:
    """Run pytest on `files` in a folder of their own, with the root conftest's recorder."""
    suite = tmp_path / "suite"
    for name, source in {"conftest.py": LOADS_ROOT_CONFTEST, **files}.items():
        (suite / name).parent.mkdir(parents=True, exist_ok=True)
        (suite / name).write_text(source)
    results = tmp_path / "results"
    env = {**clean_env, "DJANGO_SETTINGS_MODULE": "lienthong.settings_test"}
    if record:
        env |= {"LIENTHONG_TEST_LEG": "sqlite", "LIENTHONG_TEST_RESULTS": str(results)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
        cwd=suite,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, results


def test_each_leg_records_its_counts_and_skipped_browser_tests(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    # given a suite with a skipped browser test (by directory) and a skipped plain test
    files = {
        "tests/test_plain.py": (
            "import pytest\ndef test_ok(): pass\ndef test_later(): pytest.skip('not today')\n"
        ),
        "tests/browser/test_pages.py": (
            "import pytest\n"
            "def test_page(): pass\n"
            "def test_no_chromium(): pytest.skip('Chromium is missing')\n"
        ),
    }
    # when it runs as a leg of make test
    result, results = run_recorded_suite(clean_env, tmp_path, files)
    # then the leg's record counts the browser skip apart, with its reason
    assert result.returncode == 0, result.stdout + result.stderr
    record = json.loads((results / "sqlite.json").read_text())
    assert record == {
        "leg": "sqlite",
        "engine": "sqlite3",
        "exitstatus": 0,
        "passed": 2,
        "failed": 0,
        "errors": 0,
        "skipped": 2,
        "browser": {"passed": 1, "failed": 0, "skipped": 1},
        "browser_skip_reasons": [
            "tests/browser/test_pages.py::test_no_chromium: Skipped: Chromium is missing"
        ],
    }
    assert (results / "sqlite.txt").read_text() == (
        "SQLite leg (sqlite3): passed — 2 passed, 0 failed, 0 errors, 2 skipped; "
        "browser tests: 1 passed, 1 skipped (first skip: tests/browser/test_pages.py::"
        "test_no_chromium: Skipped: Chromium is missing)\n"
    )


def test_a_leg_that_collects_nothing_is_recorded_as_failed(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    result, results = run_recorded_suite(clean_env, tmp_path, {"tests/helpers.py": "X = 1\n"})
    assert result.returncode == 5
    record = json.loads((results / "sqlite.json").read_text())
    assert (record["exitstatus"], record["passed"]) == (5, 0)
    assert (
        (results / "sqlite.txt")
        .read_text()
        .startswith("SQLite leg (sqlite3): FAILED: no tests collected — 0 passed")
    )


def test_a_plain_pytest_run_records_nothing(clean_env: dict[str, str], tmp_path: Path) -> None:
    files = {"tests/test_plain.py": "def test_ok(): pass\n"}
    result, results = run_recorded_suite(clean_env, tmp_path, files, record=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not results.exists()
