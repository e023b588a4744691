"""Benchmark of the documents module: search over N documents, and numbering under 8 writers.

Runs against a migrated database named by the environment:

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=var [DATABASE_URL=…] \
        .venv/bin/python bench/bench_documents.py [--documents 1000000] [--queries 1000] \
        [--registrations 2000] [--writers 8] [--reuse] [--only generate,search,numbering,register]

`--reuse` skips the generation when an earlier run left enough documents in that database
(generate 1,000,000 once per database, then iterate on the search); `--only` runs some parts.

Sizes also come from BENCH_DOCUMENTS, BENCH_DOCUMENTS_QUERIES, BENCH_DOCUMENTS_REGISTRATIONS
(the targets of issue 6: 1,000,000 documents, search p95 < 100 ms on SQLite and PostgreSQL;
numbering ≥ 500 documents/s with 8 concurrent writers on PostgreSQL, no duplicate, no gap).

1. `documents.generate`: N incoming/outgoing documents written in bulk, exactly the rows
   `searching.index_document` writes (DocumentIndex, its assigned units, the search kernel's
   entry, stored text and full-text row), 5,000 per transaction.
2. `documents.search`: a mix of what the search page is asked (words with and without
   diacritics, a number/notation, words + filters, filters alone, issuer), by an agency
   clerk, a division specialist and an agency specialist; one query = `search_documents`
   (20 rows + capped count), as the page and API do.
3. `documents.numbering`: W threads, each taking numbers in its own transactions
   (`next_number`), then a check that the numbers are exactly 1..n.
4. `documents.register`: W threads registering incoming documents through the service
   (`register_incoming`: number, leaders' task, audit, index, event), then the same check on
   the arrival numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import threading
import time
from typing import Any

ISSUERS = [
    "Văn phòng Chính phủ",
    "Bộ Nội vụ",
    "Bộ Tư pháp",
    "Bộ Tài chính",
    "Ủy ban nhân dân tỉnh Bình Dương",
    "Sở Tài chính tỉnh Bình Dương",
    "Sở Y tế tỉnh Bình Dương",
    "Thanh tra tỉnh Bình Dương",
    "Sở Giáo dục và Đào tạo",
    "Công an tỉnh",
]
WORDS = [
    "triển",
    "khai",
    "công",
    "tác",
    "cải",
    "cách",
    "hành",
    "chính",
    "chuyển",
    "đổi",
    "số",
    "báo",
    "cáo",
    "kết",
    "quả",
    "kiểm",
    "tra",
    "văn",
    "thư",
    "lưu",
    "trữ",
    "góp",
    "ý",
    "dự",
    "thảo",
    "nghị",
    "quyết",
    "hướng",
    "dẫn",
    "thống",
    "kê",
    "phòng",
    "chống",
    "thiên",
    "tai",
    "rà",
    "soát",
    "thủ",
    "tục",
    "thẩm",
    "quyền",
    "giải",
    "quyết",
    "hội",
    "nghị",
    "sơ",
    "kết",
    "phổ",
    "biến",
    "giáo",
    "dục",
    "pháp",
    "luật",
    "thanh",
    "tra",
    "ngân",
    "sách",
    "đầu",
    "tư",
    "công",
    "xây",
    "dựng",
    "nông",
    "thôn",
    "mới",
    "an",
    "toàn",
    "giao",
    "thông",
    "y",
    "tế",
    "dự",
    "phòng",
    "tuyển",
    "dụng",
    "viên",
    "chức",
    "thi",
    "đua",
    "khen",
    "thưởng",
    "đất",
    "đai",
    "tài",
    "nguyên",
    "môi",
    "trường",
    "khiếu",
    "nại",
    "tố",
    "cáo",
    "tiếp",
    "công",
    "dân",
]
TYPES = ["CV", "CV", "CV", "CV", "KH", "TB", "HD", "QĐ", "GM", "BC", "TTr", "CT"]
QUERIES: list[dict[str, Any]] = [
    {"q": "cai cach hanh chinh"},
    {"q": "cải cách hành chính"},
    {"q": "chuyen doi so"},
    {"q": "khieu nai to cao"},
    {"q": '"van thu luu tru"'},
    {"q": "thanh tra", "year": 2026},
    {"q": "ngan sach", "type": "BC"},
    {"q": "tuyen dung vien chuc", "direction": "incoming"},
    {"q": "dat dai", "urgency": 2},
    {"q": "xyzzy khong co"},
    {"q": "kiem*"},
    {"type": "QĐ", "year": 2025},
    {"year": 2026, "direction": "outgoing"},
    {"issuer": "bo noi vu"},
    {"issuer": "so y te", "year": 2026},
    {},
    {"date_from": "2026-03-01", "date_to": "2026-03-31"},
    {"q": "NUMBER"},  # replaced by a real number/notation
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.isdigit() else default


def fresh_code(n: int) -> str:
    """A demo-shaped agency code no seeded agency uses, new at each call (random tag)."""
    tag = random.randrange(10**4)
    return f"9{tag // 100:02d}.{tag % 100:02d}.{n:02d}.Z99"


def _existing_world() -> dict[str, Any] | None:
    """The bench world of an earlier run (the one with the most documents), or None."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from lienthong.core.models import OrgUnit
    from lienthong.documents.models import DocumentIndex

    counts = (
        DocumentIndex.objects.filter(agency__name="Cơ quan thử nghiệm (bench)")
        .values("agency")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    best = counts.first()
    if best is None:
        return None
    agency = OrgUnit.objects.get(pk=best["agency"])
    code = agency.code or ""
    tag = int(code[1:3]) * 100 + int(code[4:6])
    users = get_user_model().objects
    return {
        "agency": agency,
        "divisions": list(OrgUnit.objects.filter(parent=agency).order_by("pk")),
        "other": OrgUnit.objects.get(code=code.replace(".01.", ".02.")),
        "clerk": users.get(username=f"bench-clerk-{tag}"),
        "division_user": users.get(username=f"bench-cv-{tag}"),
        "agency_user": users.get(username=f"bench-so-{tag}"),
        "other_clerk": users.get(username=f"bench-other-{tag}"),
        "existing": DocumentIndex.objects.filter(agency__in=[agency.pk]).count(),
    }


def world(reuse: bool = False) -> dict[str, Any]:
    from lienthong.accounts.models import Role
    from lienthong.core.testing import make_org_unit, make_user
    from lienthong.documents.catalog import ensure_document_types

    ensure_document_types()
    if reuse:
        found = _existing_world()
        if found is not None:
            return found
    tag = random.randrange(10**4)

    def code(n: int) -> str:  # demo-shaped codes no seeded agency uses
        return f"9{tag // 100:02d}.{tag % 100:02d}.{n:02d}.Z99"

    agency = make_org_unit("Cơ quan thử nghiệm (bench)", short_name="BENCH", code=code(1))
    divisions = [
        make_org_unit(f"Phòng {n} (bench)", parent=agency, is_agency=False, kind="division")
        for n in range(1, 6)
    ]
    other = make_org_unit("Cơ quan khác (bench)", code=code(2))
    return {
        "agency": agency,
        "divisions": divisions,
        "other": other,
        "clerk": make_user(f"bench-clerk-{tag}", roles=[(Role.CLERK, agency)]),
        "division_user": make_user(f"bench-cv-{tag}", roles=[(Role.SPECIALIST, divisions[0])]),
        "agency_user": make_user(f"bench-so-{tag}", roles=[(Role.SPECIALIST, agency)]),
        "other_clerk": make_user(f"bench-other-{tag}", roles=[(Role.CLERK, other)]),
    }


def generate(n: int, w: dict[str, Any], batch: int = 5000) -> tuple[float, str]:
    """Bulk-write n documents as `index_document` would; (seconds, a number/notation).

    Plain `executemany` inserts with explicit ids (the ORM's bulk_create and per-row
    folding would cost more than the database): the rows are those of
    `searching.index_document` — DocumentIndex, its assigned unit, the kernel's SearchEntry
    (scope, url, digest), SearchText (with the facets) and the full-text row (FTS5 /
    tsvector: facets first in the body, as `search.services.index` writes it).
    """
    import datetime

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from lienthong.core.text import fold
    from lienthong.documents.models import DocumentIndex, DocumentType
    from lienthong.documents.searching import document_facets, kernel_scope
    from lienthong.search.models import SearchEntry
    from lienthong.search.query import tokens

    rng = random.Random(1_000_000)
    types = {t.code: t.pk for t in DocumentType.objects.all()}
    content_type = ContentType.objects.get_for_model(DocumentIndex).pk
    agencies = [w["agency"], w["other"]]
    scopes = {(a.pk, sec): kernel_scope(a, sec) for a in agencies for sec in (0, 1)}
    units = [d.pk for d in w["divisions"]]
    folded_words = {word: " ".join(tokens(word)) for word in WORDS}
    folded_issuers = {issuer: fold(issuer) for issuer in ISSUERS}
    issuer_tokens = {issuer: " ".join(tokens(issuer)) for issuer in ISSUERS}
    next_index = (
        DocumentIndex.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    next_entry = (SearchEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first_day = datetime.date(2024, 1, 1)
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    entry_sql = (
        "INSERT INTO search_searchentry (id, content_type_id, object_id, title, head, url,"
        " scope, digest, updated_at{doc}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s{val})"
    ).format(
        doc=", document" if postgres else "",
        val=(
            ", setweight(to_tsvector('simple', %s), 'A')"
            " || setweight(to_tsvector('simple', %s), 'B')"
        )
        if postgres
        else "",
    )
    index_sql = (
        "INSERT INTO documents_documentindex (id, direction, object_id, agency_id, year, date,"
        " document_type_id, number_notation, issuer, issuer_folded, subject, urgency, secrecy,"
        " url, entry_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    sample_number = ""
    started = time.perf_counter()
    done = 0
    while done < n:
        size = min(batch, n - done)
        entries: list[Any] = []
        texts: list[Any] = []
        fts: list[Any] = []
        rows: list[Any] = []
        assigned: list[Any] = []
        for i in range(size):
            k = done + i
            pk, entry = next_index + k, next_entry + k
            agency = agencies[0] if k % 5 else agencies[1]
            code = rng.choice(TYPES)
            day = first_day + datetime.timedelta(days=rng.randrange(0, 1000))
            serial = rng.randint(1, 9999)
            number = f"{serial}/{code}-UBND" if code != "CV" else f"{serial}/UBND-VP"
            words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
            subject = " ".join(words).capitalize()
            issuer = rng.choice(ISSUERS)
            secrecy = 1 if k % 97 == 0 else 0
            title = f"{number} — {subject}"
            title_tokens = " ".join(tokens(number)) + " " + " ".join(folded_words[x] for x in words)
            url = f"/van-ban/den/{pk}/"
            direction = "incoming" if k % 3 else "outgoing"
            urgency = 0 if k % 7 else rng.randint(1, 4)
            unit = units[k % len(units)] if k % 2 == 0 else None
            facets = " ".join(
                sorted(
                    set(
                        document_facets(
                            year=day.year,
                            agency_id=agency.pk,
                            urgency=urgency,
                            type_id=types[code],
                            unit_ids=[unit] if unit else [],
                        )
                    )
                )
            )
            body_tokens = f"{facets} {issuer_tokens[issuer]}"
            digest = hashlib.sha256(f"{title}\x00{issuer}\x00{facets}".encode()).hexdigest()
            values = [entry, content_type, str(pk), title, issuer, url, scopes[agency.pk, secrecy]]
            values += [digest, now]
            if postgres:
                values += [title_tokens, body_tokens]
            else:
                fts.append((entry, title_tokens, body_tokens))
            entries.append(values)
            texts.append((entry, issuer, facets))
            if not sample_number:
                sample_number = number
            rows.append(
                (
                    pk,
                    direction,
                    pk,
                    agency.pk,
                    day.year,
                    day,
                    types[code],
                    number,
                    issuer,
                    folded_issuers[issuer],
                    subject,
                    urgency,
                    secrecy,
                    url,
                    entry,
                )
            )
            if unit:
                assigned.append((pk, unit))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(entry_sql, entries)
            cursor.executemany(
                "INSERT INTO search_searchtext (entry_id, body, facets) VALUES (%s, %s, %s)", texts
            )
            if fts:
                cursor.executemany(
                    "INSERT INTO search_fts (rowid, title, body) VALUES (%s, %s, %s)", fts
                )
            cursor.executemany(index_sql, rows)
            cursor.executemany(
                "INSERT INTO documents_documentindex_access_units (documentindex_id, orgunit_id)"
                " VALUES (%s, %s)",
                assigned,
            )
        done += size
    with connection.cursor() as cursor:
        if postgres:
            # Merge the GIN pending list the bulk load left (decision 0014): until vacuum does,
            # every full-text query reads it in full.
            cursor.execute("SELECT gin_clean_pending_list('search_entry_document'::regclass)")
            for table in ("documents_documentindex", "search_searchentry"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
        cursor.execute("ANALYZE")
    return time.perf_counter() - started, sample_number


def search_bench(w: dict[str, Any], queries: int, sample_number: str) -> dict[str, Any]:
    import datetime

    from django.db import connection

    from lienthong.documents import selectors

    users = [w["clerk"], w["division_user"], w["agency_user"]]
    mix = [dict(q) for q in QUERIES]
    for q in mix:
        if q.get("q") == "NUMBER":
            q["q"] = sample_number
        for key in ("date_from", "date_to"):
            if key in q:
                q[key] = datetime.date.fromisoformat(q[key])
        if "type" in q:
            q["type_code"] = q.pop("type")

    def run(user: Any, params: dict[str, Any]) -> int:
        return selectors.search_documents(user, limit=20, **params).total

    for user in users:  # warm caches and plans
        for params in mix:
            run(user, params)
    rng = random.Random(6)
    latencies: list[float] = []
    by_query: dict[str, list[float]] = {}
    found = 0
    started = time.perf_counter()
    for _ in range(queries):
        user, params = rng.choice(users), rng.choice(mix)
        begin = time.perf_counter()
        found += run(user, params)
        latencies.append(time.perf_counter() - begin)
        key = json.dumps(params, default=str, ensure_ascii=False, sort_keys=True)
        by_query.setdefault(key, []).append(latencies[-1])
    seconds = time.perf_counter() - started
    slowest = sorted(by_query.items(), key=lambda item: -max(item[1]))[:4]
    return {
        "bench": "documents.search",
        "backend": connection.vendor,
        "n": queries,
        "distinct": len(mix),
        "seconds": round(seconds, 2),
        "queries_per_second": round(queries / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2),
        "mean_count": round(found / queries, 1),
        "target_p95_ms": 100,
        "slowest": {key: round(max(times) * 1000, 1) for key, times in slowest},
    }


def threaded(writers: int, per_writer: int, work: Any) -> tuple[float, list[BaseException]]:
    from django.db import connections

    failures: list[BaseException] = []
    barrier = threading.Barrier(writers)

    def body() -> None:
        try:
            barrier.wait()
            for _ in range(per_writer):
                work()
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body) for _ in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, failures


def numbering_bench(w: dict[str, Any], total: int, writers: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from lienthong.core.testing import make_org_unit
    from lienthong.documents.numbering import current_number, next_number

    agency = make_org_unit("Sổ số (bench)", code=fresh_code(3))
    got: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        with transaction.atomic():
            number = next_number(agency, "outgoing", 2026)
        with lock:
            got.append(number)

    per = max(1, total // writers)
    seconds, failures = threaded(writers, per, take)
    n = per * writers
    return {
        "bench": "documents.numbering",
        "backend": connection.vendor,
        "writers": writers,
        "n": n,
        "seconds": round(seconds, 2),
        "numbers_per_second": round(n / seconds, 1),
        "failures": len(failures),
        "no_duplicate_no_gap": sorted(got) == list(range(1, n + 1))
        and current_number(agency, "outgoing", 2026) == n,
    }


def register_bench(w: dict[str, Any], total: int, writers: int) -> dict[str, Any]:
    from django.db import connection

    from lienthong.accounts.models import Role
    from lienthong.core.context import acting
    from lienthong.core.testing import make_org_unit, make_user
    from lienthong.documents import services
    from lienthong.documents.models import DocumentType, IncomingDocument

    # A fresh agency each run, so its arrival numbers start at 1 (also with --reuse).
    agency = make_org_unit("Cơ quan đăng ký (bench)", code=fresh_code(4))
    clerk = make_user(f"bench-reg-{agency.pk}", roles=[(Role.CLERK, agency)])
    letter = DocumentType.objects.get(code="CV")
    counter = iter(range(10**9))
    lock = threading.Lock()

    def register() -> None:
        with lock:
            k = next(counter)
        with acting(user=clerk, via="bench"):
            services.register_incoming(
                agency=agency,
                data=services.IncomingData(
                    issuer="Bộ Nội vụ (bench)",
                    subject=f"Văn bản thử nghiệm số {k} về công tác văn thư",
                    document_type=letter,
                    code_number=str(k + 1),
                    code_notation="BNV-VP",
                ),
                by=clerk,
            )

    per = max(1, total // writers)
    seconds, failures = threaded(writers, per, register)
    n = per * writers
    numbers = sorted(
        IncomingDocument.objects.filter(agency=agency, issuer="Bộ Nội vụ (bench)").values_list(
            "arrival_number", flat=True
        )
    )
    return {
        "bench": "documents.register",
        "backend": connection.vendor,
        "writers": writers,
        "n": n,
        "seconds": round(seconds, 2),
        "documents_per_second": round(n / seconds, 1),
        "failures": len(failures),
        "no_duplicate_no_gap": numbers == list(range(1, n + 1)),
        "target_documents_per_second": 500,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--documents", type=int, default=env_int("BENCH_DOCUMENTS", 1_000_000))
    parser.add_argument("--queries", type=int, default=env_int("BENCH_DOCUMENTS_QUERIES", 1000))
    parser.add_argument(
        "--registrations", type=int, default=env_int("BENCH_DOCUMENTS_REGISTRATIONS", 2000)
    )
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the documents of an earlier run when there are enough (skip generation)",
    )
    parser.add_argument(
        "--only",
        default="generate,search,numbering,register",
        help="comma-separated parts to run (generate, search, numbering, register)",
    )
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    import django

    django.setup()
    from django.db import connection

    w = world(reuse=args.reuse)
    from lienthong.documents.models import DocumentIndex

    sample = (
        DocumentIndex.objects.filter(agency=w["agency"])
        .exclude(number_notation="")
        .values_list("number_notation", flat=True)
        .first()
        or ""
    )
    # The generator gives the bench agency 4 documents in 5; the other agency the rest.
    have = w.get("existing", 0) * 5 // 4
    if "generate" in parts and have < args.documents * 99 // 100:
        # With --reuse, only the documents missing (a generation stopped half-way is topped up).
        missing = args.documents - have
        seconds, sample = generate(missing, w)
        print(
            json.dumps(
                {
                    "bench": "documents.generate",
                    "backend": connection.vendor,
                    "documents": missing,
                    "seconds": round(seconds, 2),
                    "documents_per_second": round(missing / seconds, 1),
                }
            ),
            flush=True,
        )
    if "search" in parts:
        print(json.dumps(search_bench(w, args.queries, sample), ensure_ascii=False), flush=True)
    if "numbering" in parts:
        print(json.dumps(numbering_bench(w, args.registrations, args.writers)), flush=True)
    if "register" in parts:
        print(json.dumps(register_bench(w, args.registrations, args.writers)), flush=True)


if __name__ == "__main__":
    main()
