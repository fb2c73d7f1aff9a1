"""Directory benchmark: keyset pages of the contact directory at depth, against OFFSET paging.

    .venv/bin/python benchmarks/directory.py [--contacts 1000000] [--database-url postgres://…]
        [--repeat 20] [--home DIR] [--keep]

Loads ``--contacts`` contacts (8 stores, Chinese names, e-mail on 90 %, a mobile number each,
a WeChat openid on 60 %) into a fresh database migrated with the app's schema — SQLite under
``--home`` by default, PostgreSQL with ``--database-url`` — bulk-written (executemany / COPY),
with e-mail and phone encrypted and the identifier keys (blind indexes for e-mail and phone) as
the app writes them: set ``OPENXM_ENCRYPTION_KEYS`` for PostgreSQL (docs/settings.md).

Times, p50 and p95 of ``--repeat`` runs after one cold run, through the app's service
(``profiles.directory.page``, which also reads stored values and maps each contact through the
one door): the first page, the page after 99 % of the contacts (keyset: ``after=<id>``), the same
deep page for a member limited to one store, an exact phone search (``+86 …`` normalised) and a
name-prefix search. The baseline, measured in the same run: the same deep page with OFFSET
paging (the query a page-number pager would run). The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dashboard import setup  # noqa: E402 - the same fresh, migrated database as the dashboard benchmark

STORES = [f"store-{i}" for i in range(8)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
CHUNK = 50_000


def say(msg: str) -> None:
    print(msg, flush=True)


def rows(n: int, org_id: int, units: list[int]):
    from openxm.crypto import encrypt
    from openxm.customers.services import stored_key

    rng = random.Random(7)
    now = datetime.now(UTC)
    for i in range(n):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        external_id = f"CRM-{i:08d}"
        email = f"u{i}@example.com" if rng.random() < 0.9 else ""
        phone = f"+86 139 {i // 10000:04d} {i % 10000:04d}"
        openid = f"o{rng.getrandbits(64):016x}" if rng.random() < 0.6 else ""
        yield (
            org_id,
            external_id,
            "customer",
            name,
            encrypt(email),
            encrypt(phone),
            "zh-Hans",
            json.dumps({"tier": "gold"}),
            units[i % len(units)],
            now,
            now,
            stored_key("email", email),
            stored_key("phone", phone),
            openid,
            "",
            stored_key("external_id", external_id),
            "unknown",
            "{}",
            "",
        )


COLUMNS = [
    "organization_id",
    "external_id",
    "kind",
    "name",
    "email",
    "phone",
    "language",
    "attributes",
    "unit_id",
    "created_at",
    "updated_at",
    "email_key",
    "phone_key",
    "wechat_openid",
    "wechat_unionid",
    "external_key",
    "consent",
    "preferences",
    "value_tier",
]


def write(connection, data) -> None:
    table = "customers_contact"
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as c,
            c.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in data:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    cursor, batch = connection.connection.cursor(), []
    for row in data:
        batch.append(row)
        if len(batch) >= CHUNK:
            cursor.executemany(sql, batch)
            batch.clear()
    if batch:
        cursor.executemany(sql, batch)


def timed(func, repeat: int) -> dict:
    func()  # cold
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append((time.perf_counter() - start) * 1000)
    runs.sort()
    return {
        "p50_ms": round(statistics.median(runs), 2),
        "p95_ms": round(runs[int(0.95 * (len(runs) - 1))], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--home")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    setup(args)
    from django.db import connection, transaction

    from openxm.accounts import services as accounts
    from openxm.customers import directory as contacts
    from openxm.profiles import directory

    org = accounts.bootstrap_organization("bench", "Bench")
    op = accounts.operator_actor(org)
    accounts.create_unit(op, "east", "East", "region")
    units = [accounts.create_unit(op, s, s, "store", "east").pk for s in STORES]
    say(f"loading {args.contacts:,} contacts into {connection.vendor} …")
    start = time.perf_counter()
    with transaction.atomic():
        write(connection, rows(args.contacts, org.pk, units))
    load_s = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":  # as a restarted server finds it: the load checkpointed
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    say(f"loaded in {load_s:.0f} s")
    members = {}
    for email, role, unit in (
        ("owner@bench.example", "owner", ""),
        ("store@bench.example", "admin", "store-3"),
    ):
        accounts.bootstrap_user(email, "correct-horse-battery-staple")
        membership = accounts.set_member(op, email, role, unit=unit)
        members[role] = accounts.actor_for_user(membership.user, org, via="web")
    owner, limited = members["owner"], members["admin"]
    ids = contacts.contacts(owner.scope).order_by("pk").values_list("pk", flat=True)
    depth = int(args.contacts * 0.99)
    deep_after = ids[depth - 1]
    everyone = contacts.Filters()
    figures = {
        "first_page": timed(lambda: directory.page(owner, everyone, 0, 50), args.repeat),
        "deep_page_keyset": timed(lambda: directory.page(owner, everyone, deep_after, 50), args.repeat),
        "deep_page_store_member": timed(
            lambda: directory.page(limited, everyone, deep_after, 50), args.repeat
        ),
        "phone_search": timed(
            lambda: directory.page(owner, contacts.Filters(q="0086 139 0042 0042"), 0, 50), args.repeat
        ),
        "name_prefix_search": timed(
            lambda: directory.page(owner, contacts.Filters(q="王伟"), 0, 50), args.repeat
        ),
    }
    qs = contacts.contacts(owner.scope).select_related("unit").order_by("pk")
    figures["deep_page_offset_baseline"] = timed(lambda: list(qs[depth : depth + 50]), args.repeat)
    base, keyset = figures["deep_page_offset_baseline"]["p50_ms"], figures["deep_page_keyset"]["p50_ms"]
    for name, f in figures.items():
        say(f"{name:28s} p50 {f['p50_ms']:9.2f} ms   p95 {f['p95_ms']:9.2f} ms")
    say(f"deep page: OFFSET / keyset = {base / keyset:.1f}× (the keyset page also maps every contact)")
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "contacts": args.contacts,
                "load_s": round(load_s, 1),
                "depth": depth,
                **figures,
                "offset_over_keyset": round(base / keyset, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
