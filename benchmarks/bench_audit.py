"""Audit workspace at scale: fill the access log with N entries on PostgreSQL, then time the common audit
queries and a full chain verification next to a bare SQL scan and a bare hashing loop.

    .venv/bin/python benchmarks/bench_audit.py [--entries 10000000] [--database-url URL] [--keep]

Without ``--database-url`` a fresh database is created on 127.0.0.1:5432 (trust auth), migrated, and dropped
at the end unless ``--keep``. Rows are generated in Python with a correct hash chain (registry.audit.chain)
and streamed in with COPY; the append-only triggers refuse UPDATE/DELETE, not INSERT.
The generated month-by-month traffic looks like an office: reads in working hours by people of the
document's unit, a few refusals, after-hours reads and reads of other units' documents.
"""

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("REGISTRY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
UNITS = ["VP", "BTC", "UBKT", "BTG", "BDV", "VPUB"]
LEVELS = ["thuong", "mat", "toi_mat", "tuyet_mat"]
LEVEL_WEIGHTS = [50, 30, 15, 5]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--entries", type=int, default=10_000_000)
    p.add_argument("--database-url", default="")
    p.add_argument("--users", type=int, default=600)
    p.add_argument("--documents", type=int, default=20_000)
    p.add_argument("--keep", action="store_true", help="keep the generated database")
    p.add_argument("--seed", type=int, default=20201215)
    return p.parse_args()


def create_database() -> str:
    import psycopg

    name = f"registry_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}", name


def drop_database(name: str):
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(label, fn, results, *, repeat=1):
    best = None
    value = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    results[label] = best
    print(f"  {label:<58} {best * 1000:12.1f} ms", flush=True)
    return value


def setup_people_and_documents(args, rng):
    from wagtail.models import Collection

    from registry.constants import Direction, Role
    from registry.models import Document, RegisterBook, Unit, User

    units = {code: Unit.objects.create(code=code, name=f"Đơn vị {code}") for code in UNITS}
    users = User.objects.bulk_create([
        User(username=f"cb{i:04d}", unit=units[UNITS[i % len(UNITS)]], role=Role.STAFF,
             clearance=LEVELS[min(3, i % 5)], password="!")
        for i in range(args.users)
    ])
    auditor = User.objects.create(username="kiemtra", unit=units["VP"], role=Role.AUDITOR, clearance="mat",
                                  password="!")
    root = Collection.get_first_root_node()
    book = RegisterBook.objects.create(direction=Direction.INCOMING, secret=True, year=2020)
    docs = []
    for i in range(args.documents):
        docs.append(Document(
            title=f"Tài liệu đại hội số {i}", collection=root, direction=Direction.INCOMING, register=book,
            serial=i + 1, number_raw=f"{i + 1}-HD/ĐU", doc_type="HD", issuer="Đảng ủy",
            level=rng.choices(LEVELS, LEVEL_WEIGHTS)[0], handling_unit=units[UNITS[i % len(UNITS)]],
        ))
    docs = Document.objects.bulk_create(docs, batch_size=2000)
    return users, auditor, docs


def generate(args, rng, users, docs):
    """Yield (fields dict incl. hash) in seq order with a correct chain."""
    from registry.audit.chain import GENESIS_HASH, entry_hash

    tz = dt.timezone(dt.timedelta(hours=7))
    by_unit = {}
    for d in docs:
        by_unit.setdefault(d.handling_unit.code, []).append(d)
    people = [(u.pk, u.username, u.unit.code) for u in users]
    workdays = []
    day = dt.date(2019, 12, 15)
    while len(workdays) < 250:
        if day.weekday() < 5:
            workdays.append(day)
        day += dt.timedelta(days=1)
    per_day = max(1, args.entries // len(workdays))
    prev = GENESIS_HASH
    seq = 0
    actions = ["view"] * 70 + ["download"] * 10 + ["preview"] * 5 + ["print"] * 2 + ["search"] * 6 + \
              ["login"] * 4 + ["list"] * 3
    for day in workdays:
        start = dt.datetime(day.year, day.month, day.day, 7, 30, tzinfo=tz)
        n = per_day if day != workdays[-1] else args.entries - seq
        offsets = sorted(rng.random() for _ in range(n))
        for off in offsets:
            seq += 1
            after_hours = rng.random() < 0.003
            at = start + dt.timedelta(seconds=off * (9.5 * 3600)) + (dt.timedelta(hours=11) if after_hours else dt.timedelta())
            pk, username, unit = people[rng.randrange(len(people))]
            action = actions[rng.randrange(len(actions))]
            outcome = "refused" if rng.random() < 0.01 else "ok"
            doc = None
            if action not in ("search", "login", "list"):
                pool = by_unit[unit] if rng.random() < 0.97 else docs
                doc = pool[int(len(pool) * rng.random() ** 2)]
            fields = {
                "seq": seq, "at": at.astimezone(dt.UTC), "actor_id": pk, "actor_username": username,
                "actor_unit": unit, "ip": "10.1.%d.%d" % (pk // 250, pk % 250), "user_agent": "Mozilla/5.0",
                "request_id": "%032x" % rng.getrandbits(128), "action": action, "outcome": outcome,
                "document_id": doc.pk if doc else None, "document_level": doc.level if doc else "",
                "document_unit": doc.handling_unit.code if doc else "",
                "purpose": "Nghiên cứu phục vụ đại hội" if doc is not None and doc.level in ("toi_mat", "tuyet_mat") else "",
                "copy_id": "%016x" % rng.getrandbits(64) if action == "download" else "",
                "query": "nhân sự đại hội" if action == "search" else "",
                "result_count": rng.randrange(50) if action == "search" else None,
                "extra": {}, "prev_hash": prev,
            }
            fields["hash"] = prev = entry_hash(fields)
            yield fields


def fill(args, rng, users, docs):
    import json

    from django.db import connection

    from registry.audit.chain import HASHED_FIELDS
    from registry.models import ChainHead

    columns = [*HASHED_FIELDS, "hash"]  # the hashed field names are the column names
    last = None
    t0 = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3 connection
    with raw.cursor() as cur:
        with cur.copy(f"COPY registry_accesslogentry ({', '.join(columns)}) FROM STDIN") as copy:
            for i, fields in enumerate(generate(args, rng, users, docs), 1):
                row = [fields[c] for c in HASHED_FIELDS] + [fields["hash"]]
                row[HASHED_FIELDS.index("extra")] = json.dumps(fields["extra"])
                copy.write_row(row)
                last = fields
                if i % 1_000_000 == 0:
                    print(f"  … {i:,} entries ({time.perf_counter() - t0:.0f} s)", flush=True)
    raw.commit()
    ChainHead.objects.update_or_create(pk=1, defaults={"seq": last["seq"], "hash": last["hash"]})
    with connection.cursor() as cur:
        cur.execute("ANALYZE registry_accesslogentry")
    return time.perf_counter() - t0


def bare_scan():
    """Stream every row's hashed fields in seq order with a server-side cursor; returns the row count."""
    from django.db import connection, transaction

    from registry.audit.chain import HASHED_FIELDS

    connection.ensure_connection()
    n = 0
    with transaction.atomic(), connection.connection.cursor(name="bench_scan") as cur:
        cur.itersize = 5000
        cur.execute(f"SELECT {', '.join(HASHED_FIELDS)}, hash FROM registry_accesslogentry ORDER BY seq")
        for _row in cur:
            n += 1
    return n


def bare_hashing():
    """The same rows, fetched in chunks; only the hashing (registry.audit.chain.entry_hash) is timed."""
    from django.db import connection, transaction

    from registry.audit.chain import HASHED_FIELDS, entry_hash

    connection.ensure_connection()
    spent = 0.0
    with transaction.atomic(), connection.connection.cursor(name="bench_hash") as cur:
        cur.execute(f"SELECT {', '.join(HASHED_FIELDS)}, hash FROM registry_accesslogentry ORDER BY seq")
        while True:
            rows = cur.fetchmany(100_000)
            if not rows:
                break
            dicts = [dict(zip(HASHED_FIELDS, row)) for row in rows]
            t0 = time.perf_counter()
            for fields in dicts:
                entry_hash(fields)
            spent += time.perf_counter() - t0
    return spent


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    created = None
    url = args.database_url
    if not url:
        url, created = create_database()
    home = Path(tempfile.mkdtemp(prefix="registry-bench-"))
    os.environ.update(DATABASE_URL=url, REGISTRY_HOME=str(home), DJANGO_SETTINGS_MODULE="registry.settings.base",
                      REGISTRY_KEYS_DIR=str(home / "keys"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    try:
        print(f"database: {url}")
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        users, auditor, docs = setup_people_and_documents(args, rng)
        print(f"people and documents: {len(users)} users, {len(docs)} documents ({time.perf_counter() - t0:.1f} s)")
        print(f"filling the log with {args.entries:,} entries (hash chain in Python, COPY)…", flush=True)
        fill_s = fill(args, rng, users, docs)
        print(f"  filled in {fill_s:.1f} s ({args.entries / fill_s:,.0f} entries/s)")
        report(args, auditor, users, docs, timezone)
    finally:
        from django.db import connections

        connections.close_all()
        if created and not args.keep:
            drop_database(created)
            print(f"dropped {created}")
        elif created:
            print(f"kept database {created}")


def report(args, auditor, users, docs, timezone):
    from registry.audit import reports
    from registry.audit.anomalies import find_anomalies
    from registry.models import AccessLogEntry

    tz = timezone.get_current_timezone()
    month = (dt.datetime(2020, 3, 1, tzinfo=tz), dt.datetime(2020, 4, 1, tzinfo=tz))
    results = {}
    user = users[len(users) // 3].username
    busiest_doc = AccessLogEntry.objects.filter(seq__lte=200_000).exclude(document_id=None).values_list(
        "document_id", flat=True).first()
    middle = args.entries // 2
    print(f"\ncommon audit queries (auditor cleared 'mat'; first page of {reports.PAGE_SIZE}, best of 3):")
    timed("log, no filter, first page", lambda: reports.log_page(auditor, reports.LogFilter()), results, repeat=3)
    timed("log, no filter, page deep in the log (?before=N/2)",
          lambda: reports.log_page(auditor, reports.LogFilter(), before=middle), results, repeat=3)
    timed("by user + month, first page", lambda: reports.log_page(
        auditor, reports.LogFilter(user=user, start=month[0], end=month[1])), results, repeat=3)
    timed("by user + month, whole month streamed (report)", lambda: sum(1 for _ in reports.report_entries(
        auditor, reports.LogFilter(user=user, start=month[0], end=month[1]))), results, repeat=1)
    timed("by document, first page", lambda: reports.log_page(
        auditor, reports.LogFilter(document=busiest_doc)), results, repeat=3)
    timed("by level toi_mat + action view + month, first page", lambda: reports.log_page(
        auditor, reports.LogFilter(level="toi_mat", action="view", start=month[0], end=month[1])), results, repeat=3)
    timed("refused only + month, first page", lambda: reports.log_page(
        auditor, reports.LogFilter(outcome="refused", start=month[0], end=month[1])), results, repeat=3)
    found = timed("anomalies over a month (all six kinds)", lambda: find_anomalies(*month), results)
    kinds = {}
    for a in found:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    print(f"    anomalies found: {kinds}")
    timed("chart data over a month (reads/day by level)", lambda: reports.reads_per_day_by_level(*month), results)

    print(f"\nfull chain verification vs bare scan and bare hashing ({args.entries:,} entries):")
    try:
        from registry.audit.verify import check_chain as verify

        label = "registry.audit.verify.check_chain (streaming verify)"
    except ImportError:  # the verification module is another area's; fall back to a plain streaming check
        verify, label = own_verify, "streaming verify (bench's own)"
    result = timed(label, verify, results)
    print(f"    result: {getattr(result, 'ok', result)}")
    n = timed("bare SQL scan (server-side cursor, same columns)", bare_scan, results)
    assert n == args.entries, n
    hashing = bare_hashing()
    results["bare hashing loop"] = hashing
    print(f"  {'bare hashing loop (entry_hash only)':<58} {hashing * 1000:12.1f} ms")
    v, s = results[label], results["bare SQL scan (server-side cursor, same columns)"]
    print(f"\nratios: verify / scan = {v / s:.2f}; verify / hashing = {v / hashing:.2f}; "
          f"verify / (scan + hashing) = {v / (s + hashing):.2f}")
    print(f"        verify throughput = {args.entries / v:,.0f} entries/s; "
          f"scan = {args.entries / s:,.0f} rows/s; hashing = {args.entries / hashing:,.0f} hashes/s")


def own_verify():
    from django.db import connection, transaction

    from registry.audit.chain import GENESIS_HASH, HASHED_FIELDS, entry_hash

    prev = GENESIS_HASH
    connection.ensure_connection()
    with transaction.atomic(), connection.connection.cursor(name="bench_verify") as cur:
        cur.itersize = 5000
        cur.execute(f"SELECT {', '.join(HASHED_FIELDS)}, hash FROM registry_accesslogentry ORDER BY seq")
        for row in cur:
            fields = dict(zip(HASHED_FIELDS, row))
            if fields["prev_hash"] != prev or entry_hash(fields) != row[-1]:
                return False
            prev = row[-1]
    return True


if __name__ == "__main__":
    main()
