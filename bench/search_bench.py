"""BM: household search p95 on a 1M-person registry in PostgreSQL, against
Django's Paginator (COUNT + OFFSET) over the same query, in the same process.

Data: a synthetic county (`fangpin synth`) bulk-loaded with COPY into a fresh
database.  Both sides go through the Django test client as the same county
user; the peer is a plain Paginator view over the same scoped queryset and
the same template.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

from bench.common import DATA, p95, write_result

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "fangpin_bench_search"


def _prepare_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def _load(registry: Path) -> int:
    """COPY households and persons straight into the tables (bench fixture, not the import)."""
    import polars as pl
    from django.db import connection

    from fangpin.areas.models import Area
    from fangpin.registry import validation as v
    from fangpin.registry.choices import Gender, HouseholdType, LabourCapacity, Relationship

    frame = pl.read_csv(registry, infer_schema=False)
    area_ids = dict(Area.objects.values_list("code", "pk"))
    heads = frame.filter(pl.col("与户主关系") == "户主")

    def mapping(choices: type) -> dict[str, str]:
        return v._label_map(choices)

    now = "2026-01-01 00:00:00+00"
    households = heads.select(
        pl.col("户编号").alias("national_household_code"),
        pl.col("行政区划代码").replace_strict(area_ids, return_dtype=pl.Int64).alias("village_id"),
        pl.col("行政区划代码").alias("village_code"),
        pl.col("网格编码").replace_strict(area_ids, default=None, return_dtype=pl.Int64).alias("grid_id"),
        pl.col("户类型").replace_strict(mapping(HouseholdType)).alias("household_type"),
        pl.col("家庭住址").fill_null("").alias("address"),
        pl.col("联系电话").fill_null("").alias("phone"),
    ).with_columns(
        escape_year=pl.lit(None, pl.Int64),
        legacy_poor_class=pl.lit(""),
        natural_village=pl.lit(""),
        is_military_martyr_family=pl.lit(False),
        is_relocated=pl.lit(False),
        no_labour_safety_net=pl.lit(False),
        house_rating=pl.lit(""),
        status=pl.lit("active"),
        merged_into_id=pl.lit(None, pl.Int64),
        version=pl.lit(1),
        created_at=pl.lit(now),
        updated_at=pl.lit(now),
    )
    _copy(connection, "registry_household", households)
    ids = dict(connection.cursor().execute("SELECT national_household_code, id FROM registry_household").fetchall())
    false = pl.lit(False)
    persons = frame.select(
        pl.col("户编号").replace_strict(ids, return_dtype=pl.Int64).alias("household_id"),
        pl.col("姓名").alias("name"),
        pl.col("证件号码").alias("id_number"),
        pl.col("性别").replace_strict(mapping(Gender)).alias("gender"),
        pl.col("出生日期").alias("birth_date"),
        pl.col("与户主关系").replace_strict(mapping(Relationship)).alias("relationship"),
        pl.col("劳动技能").replace_strict(mapping(LabourCapacity)).alias("labour_capacity"),
    ).with_columns(
        ethnicity=pl.lit("汉族"),
        political_status=pl.lit(""),
        education=pl.lit(""),
        student_status=pl.lit(""),
        is_chronic_ill=false,
        is_seriously_ill=false,
        is_disabled=false,
        disability_grade=pl.lit(None, pl.Int64),
        disability_type=pl.lit(""),
        work_location=pl.lit(""),
        work_months=pl.lit(None, pl.Int64),
        in_resident_medical=pl.lit(True),
        in_employee_medical=false,
        in_serious_illness=pl.lit(True),
        in_commercial_medical=false,
        in_resident_pension=false,
        in_employee_pension=false,
        is_dibao=false,
        is_tekun=false,
        phone=pl.lit(""),
        status=pl.lit("active"),
        status_date=pl.lit(None, pl.Utf8),
        version=pl.lit(1),
        created_at=pl.lit(now),
        updated_at=pl.lit(now),
    )
    _copy(connection, "registry_person", persons)
    with connection.cursor() as cur:
        cur.execute("ANALYZE registry_household; ANALYZE registry_person;")
    return persons.height


def _copy(connection, table: str, frame) -> None:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    frame.write_csv(buf, include_header=False, null_value="\\N")
    columns = ", ".join(frame.columns)
    with (
        connection.cursor() as cur,
        cur.connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy,
    ):
        copy.write(buf.getvalue())


def main() -> None:
    households = int(sys.argv[1]) if len(sys.argv) > 1 else 320_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    _prepare_database()
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.search_settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fangpin.accounts.models import User
    from fangpin.areas.models import Area
    from fangpin.synth.county import write_county

    call_command("migrate", verbosity=0)
    work = DATA / f"search-{households}"
    if not (work / "registry.csv").exists():
        write_county(work, households=households, seed=21)
    call_command("load_areas", str(work / "areas.csv"), verbosity=0)
    started = time.perf_counter()
    persons = _load(work / "registry.csv")
    load_seconds = time.perf_counter() - started
    county = Area.objects.get(level="county")
    village = Area.objects.filter(level="village").order_by("code")[10]
    password = "x-bench-2026"  # noqa: S105 - a throwaway benchmark database
    user = User.objects.create_user(username="bench", password=password, role="county_admin", area=county)
    client = Client()
    client.force_login(user)

    cases = [
        ("全县首页", {"q": ""}),
        ("姓王", {"q": "王"}),
        ("全名", {"q": "王伟"}),
        ("单村浏览", {"village": village.code}),
    ]
    results: dict[str, dict[str, float]] = {}
    ours_all: list[float] = []
    peer_all: list[float] = []
    queries: dict[str, int] = {}
    for label, params in cases:
        for depth in (1, 20):
            cursor = _cursor_at(client, params, depth)
            if depth > 1 and cursor is None:
                continue
            ours_params = {**params, **({"cursor": cursor} if cursor else {})}
            peer_params = {**params, "page": depth}
            ours = _time_get(client, "/registry/", ours_params, reps)
            peer = _time_get(client, "/bench/paginator/", peer_params, reps)
            with CaptureQueriesContext(connection) as ctx:
                client.get("/registry/", ours_params)
            queries[f"{label} 第{depth}页"] = len(ctx.captured_queries)
            results[f"{label} 第{depth}页"] = {
                "ours_p95_ms": round(p95(ours) * 1000, 2),
                "paginator_p95_ms": round(p95(peer) * 1000, 2),
            }
            ours_all += ours
            peer_all += peer
    write_result(
        "search_1m_pg",
        ratio=p95(ours_all) / p95(peer_all),
        ratio_means=(
            "p95 latency of the search page: fangpin keyset ÷ Django Paginator (COUNT + OFFSET), "
            "same query and template (lower is better)"
        ),
        figures={
            "persons": persons,
            "households": households,
            "load_seconds": round(load_seconds, 1),
            "requests_per_side": len(ours_all),
            "ours_p95_ms": round(p95(ours_all) * 1000, 2),
            "paginator_p95_ms": round(p95(peer_all) * 1000, 2),
            "cases": results,
            "queries_per_page_ours": queries,
            "database": "PostgreSQL",
            "scope": "county administrator",
        },
        command=f"make bench BENCH_ARGS='search --households {households}'",
    )


def _cursor_at(client, params: dict, depth: int) -> str | None:  # type: ignore[no-untyped-def]
    import re

    cursor = None
    for _ in range(depth - 1):
        html = client.get("/registry/", {**params, **({"cursor": cursor} if cursor else {})}).content.decode()
        found = re.search(r'data-next-cursor="(\d+)"', html)
        if not found:
            return None
        cursor = found.group(1)
    return cursor


def _time_get(client, url: str, params: dict, reps: int) -> list[float]:  # type: ignore[no-untyped-def]
    client.get(url, params)  # warm
    out = []
    for _ in range(reps):
        start = time.perf_counter()
        response = client.get(url, params)
        out.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return out


if __name__ == "__main__":
    main()
