"""Benchmark of the population registry at province scale (issue 4).

1. **generate** a CSV of `--persons` residents straight to disk (a stream: realistic name
   frequencies, IDs agreeing with birth date and sex, households of 1–6, 30 % of addresses
   given by legacy commune code only, the rest by 2025 code; nothing held in memory);
2. **import** it with the real importer, `lienthong registry import` in a child process, whose
   wall time and peak RSS are measured (targets: 3.2 million rows < 10 minutes, < 500 MB);
3. **lookup** by personal ID (the unique index), 2,000 random IDs of the file: p50/p95
   (target p95 < 10 ms);
4. **search** by name, folded, as the list page and the API run it (`Person.objects.search`,
   first page of 25, plus the capped count the page shows): full names with and without
   diacritics, family + given name, given name only, a common family name alone — p50/p95
   per kind and over all (target p95 < 100 ms).

Scale: `--persons N`, or LIENTHONG_BENCH_POPULATION=N (default 200,000 so that `make bench`
stays short; 3200000 for the issue's province). Run by `make bench`, or by hand:

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench-pop \\
        [DATABASE_URL=postgresql://…/db] .venv/bin/python bench/bench_population.py \\
        [--persons 3200000]

PostgreSQL gets ANALYZE after the import (what autovacuum does on its own soon after).
Prints JSON lines `population.generate`, `population.import`, `population.lookup_id`,
`population.search`. Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PERSONS = 200_000
OWNER_CODE = "000.00.98.H99"
SAMPLE = 2000

# Frequencies of family names in Viet Nam (per cent, rounded), and common middle and given
# names: enough for "nguyen" to match 38 % of the rows, as it does in a real province.
FAMILY = (
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 3.0),
    ("Huỳnh", 2.1), ("Phan", 4.5), ("Vũ", 2.0), ("Võ", 2.0), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.8),
    ("Trương", 0.8), ("Lâm", 0.5), ("Mai", 0.5), ("Tô", 0.3), ("Hà", 0.5), ("Cao", 0.4),
    ("Lưu", 0.3), ("Châu", 0.3), ("Thái", 0.3), ("Tạ", 0.3), ("Quách", 0.2), ("Kiều", 0.1),
    ("Triệu", 0.2),
)  # fmt: skip
MIDDLE_MALE = (
    ["Văn"] * 3
    + ["Minh", "Hoàng", "Quốc", "Thanh", "Đức", "Hữu", "Công", "Xuân", "Ngọc", "Anh", "Tuấn"]
    + ["Thành", "Trọng", "Duy", "Gia", "Hải", "Quang"]
)
MIDDLE_FEMALE = (
    ["Thị"] * 3
    + ["Ngọc", "Thu", "Thanh", "Hồng", "Kim", "Bích", "Minh", "Thùy", "Mỹ", "Phương", "Hoài"]
    + ["Diệu", "Khánh", "Quỳnh", "Như", "Bảo", "Lan"]
)
GIVEN_MALE = [
    "An", "Anh", "Bình", "Cường", "Dũng", "Dương", "Đạt", "Định", "Đông", "Đức", "Giang", "Hải",
    "Hào", "Hiếu", "Hiển", "Hòa", "Hoàng", "Hùng", "Huy", "Khang", "Khánh", "Khoa", "Kiên",
    "Lâm", "Long", "Lộc", "Lợi", "Luân", "Mạnh", "Minh", "Nam", "Nghĩa", "Nhân", "Phát", "Phong",
    "Phú", "Phúc", "Quân", "Quang", "Quý", "Sang", "Sơn", "Tài", "Tâm", "Tân", "Thắng", "Thành",
    "Thịnh", "Thông", "Tiến", "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ",
]  # fmt: skip
GIVEN_FEMALE = [
    "An", "Anh", "Ánh", "Bích", "Châu", "Chi", "Diễm", "Dung", "Duyên", "Giang", "Hà", "Hạnh",
    "Hằng", "Hiền", "Hoa", "Huệ", "Hương", "Huyền", "Khánh", "Lan", "Liên", "Linh", "Loan", "Ly",
    "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhi", "Nhung", "Oanh", "Phương", "Phượng", "Quyên",
    "Quỳnh", "Sương", "Tâm", "Thảo", "Thơ", "Thu", "Thúy", "Thủy", "Trang", "Trâm", "Trinh",
    "Tuyết", "Uyên", "Vân", "Vi", "Xuân", "Yến",
]  # fmt: skip
HEADER = [
    "personal_id", "full_name", "birth_date", "sex", "ethnicity", "permanent_street",
    "permanent_commune", "permanent_commune_legacy", "household_code", "relation_to_head",
]  # fmt: skip


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- Generating -----------------------------------------------------------------------------


def communes() -> list[tuple[str, str]]:
    """(legacy code, 2025 code) of every legacy commune that has a successor."""
    from lienthong.core.models import AdminUnit

    rows = AdminUnit.objects.legacy().communes().filter(successor__isnull=False)
    return list(rows.values_list("code", "successor__code"))


def generate(path: Path, persons: int, seed: int = 4) -> tuple[list[str], list[str]]:
    """Write the CSV; return a sample of IDs and of full names (for the lookups)."""
    rng = random.Random(seed)
    units = communes()
    family_names = [name for name, _weight in FAMILY]
    family_weights = [weight for _name, weight in FAMILY]
    ids: list[str] = []
    names: list[str] = []
    serials: dict[tuple[int, int], int] = {}
    household = 0
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        while written < persons:
            household += 1
            legacy, commune = rng.choice(units)
            by_legacy = rng.random() < 0.3
            street = f"{rng.randint(1, 400)} đường số {rng.randint(1, 60)}"
            family = rng.choices(family_names, family_weights)[0]
            size = min(
                rng.choices((1, 2, 3, 4, 5, 6), (8, 17, 25, 30, 13, 7))[0], persons - written
            )
            head_year = rng.randint(1940, 1998)
            for member in range(size):
                female = rng.random() < 0.5
                if member == 0:
                    year, relation = head_year, "Chủ hộ"
                elif member == 1:
                    year, relation = rng.randint(head_year - 6, head_year + 6), "Vợ/chồng"
                else:
                    year = min(2024, rng.randint(head_year + 18, head_year + 45))
                    relation = "Con"
                birth = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
                century = (year // 100 - 19) * 2 + (1 if female else 0)
                key = (century, year % 100)
                serials[key] = serials.get(key, 0) + 1
                province = rng.choice(("074", "079", "001"))
                personal_id = f"{province}{century}{year % 100:02d}{serials[key]:06d}"
                own_family = family if member != 1 else rng.choices(family_names, family_weights)[0]
                middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
                given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
                name = f"{own_family} {middle} {given}"
                writer.writerow(
                    [
                        personal_id,
                        name,
                        birth.strftime("%d/%m/%Y"),
                        "Nữ" if female else "Nam",
                        "Kinh",
                        street,
                        "" if by_legacy else commune,
                        legacy if by_legacy else "",
                        f"HK{household:09d}",
                        relation,
                    ]
                )
                written += 1
                # Reservoir samples: memory stays flat however large the file.
                for sample in (ids, names):
                    value = personal_id if sample is ids else name
                    if len(sample) < SAMPLE:
                        sample.append(value)
                    elif (slot := rng.randrange(written)) < SAMPLE:
                        sample[slot] = value
    return ids, names


# --- Measuring ------------------------------------------------------------------------------


def run_import(path: Path) -> tuple[float, float, float, str]:
    """Import through the command line in a child process: (seconds, CPU seconds, peak RSS
    MB, output). CPU time is reported too: on a busy machine it says more than wall time."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lienthong.settings"}
    command = [
        str(Path(sys.executable).with_name("lienthong")),
        "registry",
        "import",
        "population",
        str(path),
        "--owner",
        OWNER_CODE,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # ru_maxrss of the waited-for children, in KiB on Linux.
    peak_mb = after.ru_maxrss / 1024
    if result.returncode != 0:
        note(result.stdout + result.stderr)
        raise SystemExit(f"bench_population: the import failed ({result.returncode})")
    return seconds, cpu, peak_mb, result.stdout.strip()


def timed(call: Any, repeat: int = 1) -> float:
    started = time.perf_counter()
    for _i in range(repeat):
        call()
    return (time.perf_counter() - started) * 1000 / repeat


def search_queries(names: list[str], rng: random.Random) -> dict[str, list[str]]:
    """Queries of each kind built from names really in the data."""
    from lienthong.core.text import fold

    picked = rng.sample(names, min(200, len(names)))
    return {
        "full_name": picked[:100],
        "full_name_folded": [fold(n) for n in picked[100:]],
        "family_given": [f"{n.split()[0]} {n.split()[-1]}" for n in picked[:100]],
        "given_only": [n.split()[-1] for n in picked[100:150]],
        "family_only": ["nguyen", "tran", "le", "pham", "kieu", "quach"] * 5,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--persons",
        type=int,
        default=int(os.environ.get("LIENTHONG_BENCH_POPULATION", DEFAULT_PERSONS)),
        help=f"residents to generate (default {DEFAULT_PERSONS:,}; province: 3,200,000)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure lookups and searches on the persons already in the database",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()
    from django.db import connection

    from lienthong.core.models import OrgUnit
    from lienthong.core.units import load_units, units_loaded
    from lienthong.registries.population.models import Person

    if args.reuse and Person.all_objects.exists():
        return measure(*sample_from_database())
    if Person.all_objects.exists():
        note("bench_population: the database already holds persons; use a scratch database")
        return 2
    if not units_loaded():
        load_units()
    OrgUnit.objects.get_or_create(
        code=OWNER_CODE,
        defaults={"name": "Công an tỉnh (bench)", "kind": OrgUnit.Kind.OTHER, "is_agency": True},
    )
    connection.close()

    with tempfile.TemporaryDirectory(prefix="bench-population-") as scratch:
        path = Path(scratch) / "dan-cu.csv"
        note(f"bench_population: generating {args.persons:,} persons on {connection.vendor} …")
        started = time.monotonic()
        ids, names = generate(path, args.persons)
        seconds = time.monotonic() - started
        emit(
            {
                "bench": "population.generate",
                "n": args.persons,
                "seconds": round(seconds, 1),
                "file_mb": round(path.stat().st_size / 1e6, 1),
            }
        )
        note("bench_population: importing …")
        seconds, cpu, peak_mb, output = run_import(path)
        note(output)
    imported = Person.objects.count()
    emit(
        {
            "bench": "population.import",
            "n": imported,
            "seconds": round(seconds, 1),
            "per_second": round(imported / seconds),
            "cpu_seconds": round(cpu, 1),
            "peak_rss_mb": round(peak_mb),
            # The targets, scaled to the rows imported here.
            "under_10min_for_3_2m": seconds * 3_200_000 / max(imported, 1) < 600,
            "under_500mb": peak_mb < 500,
        }
    )
    if imported != args.persons:
        note(f"bench_population: imported {imported:,} of {args.persons:,}")
        return 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return measure(ids, names)


def sample_from_database() -> tuple[list[str], list[str]]:
    """IDs and names of random persons already in the table (for --reuse)."""
    from lienthong.registries.population.models import Person

    last = Person.all_objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(11)
    picks = [rng.randint(1, last) for _i in range(SAMPLE)]
    rows = Person.all_objects.filter(pk__in=picks).values_list("personal_id", "full_name")
    ids, names = zip(*rows, strict=True)
    return list(ids), list(names)


def measure(ids: list[str], names: list[str]) -> int:
    """The lookups by ID and the searches by name over the imported persons."""
    from lienthong.registries.base.views import count_capped
    from lienthong.registries.population.models import Person

    imported = Person.objects.count()
    rng = random.Random(7)
    lookups = []
    for personal_id in ids:
        lookups.append(timed(lambda p=personal_id: Person.objects.filter(personal_id=p).first()))
    emit(
        {
            "bench": "population.lookup_id",
            "n": len(lookups),
            "rows": imported,
            "p50_ms": round(percentile(lookups, 50), 2),
            "p95_ms": round(percentile(lookups, 95), 2),
            "under_10ms": percentile(lookups, 95) < 10,
        }
    )

    everything: list[float] = []
    pages: list[float] = []
    for kind, queries in search_queries(names, rng).items():
        times: list[float] = []
        page_times: list[float] = []
        hits: list[int] = []
        for query in queries:
            result: list[Any] = []
            times.append(
                timed(lambda q=query, out=result: out.extend(Person.objects.search(q)[:25]))
            )
            hits.append(len(result))
            page_times.append(
                times[-1] + timed(lambda q=query: count_capped(Person.objects.search(q)))
            )
        everything += times
        pages += page_times
        emit(
            {
                "bench": "population.search",
                "kind": kind,
                "n": len(times),
                "rows": imported,
                "p50_ms": round(percentile(times, 50), 2),
                "p95_ms": round(percentile(times, 95), 2),
                "page_p95_ms": round(percentile(page_times, 95), 2),
                "median_hits": statistics.median(hits) if hits else 0,
            }
        )
    emit(
        {
            "bench": "population.search",
            "kind": "all",
            "n": len(everything),
            "rows": imported,
            "p50_ms": round(percentile(everything, 50), 2),
            "p95_ms": round(percentile(everything, 95), 2),
            "page_p95_ms": round(percentile(pages, 95), 2),
            "under_100ms": percentile(everything, 95) < 100,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
