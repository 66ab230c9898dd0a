"""BM-4 the monthly run: about 20 rules over 11 department feeds on an N-person registry.

Ours = for each of the 11 files: read + type + repair IDs, exact and probabilistic linkage
(the registry's name features computed once per batch), the rule templates compiled from the
rule language; then the database writes of the warnings (Django ORM, one transaction per feed,
repeat suppression, rule evaluations).  Peer (rules only) = hand-written DuckDB SQL for the same
rules over the same linked tables.  Truth: recall of the injected events, and warnings on a
household other than the true one (must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from bench.feeds_common import data_dir, ensure_feed, ensure_registry, peer_result, peer_start, run_peer

MODULE = "bench.feeds_monthly"
PERIOD = "2026-10"
RUN_DAY = date(2026, 11, 3)

# The same rules as the templates, written by hand in DuckDB SQL (the floor for rule evaluation).
L = "FROM feed f JOIN links k ON k.rid = f.rid AND k.band = 'auto' JOIN reg ON reg.person_id = k.person_id"
ESC = "reg.population IN ('escaped', 'monitored')"
HAND = {
    "medical_security": [
        f"SELECT reg.person_id, 'W-MED-1' {L} WHERE f.oop_ytd >= 5000 AND {ESC}",
        f"SELECT reg.person_id, 'W-MED-1B' {L} WHERE f.oop_ytd >= 20000 AND reg.population = 'ordinary'",
        f"SELECT reg.person_id, 'W-MED-1C' {L} WHERE f.oop_outpatient_month >= 500 AND {ESC}",
        f"SELECT reg.person_id, 'W-MED-2' {L} WHERE f.oop_ytd > 0.5 * 20133 AND {ESC}",
        f"SELECT reg.person_id, 'W-MED-2B' {L} WHERE f.oop_ytd > 1 * 20133 AND reg.population = 'ordinary'",
        f"SELECT reg.person_id, 'GAP-MED' {L} WHERE f.insured_status IN ('未参保', '断保') AND {ESC}",
    ],
    "health": [
        f"SELECT reg.person_id, 'W-HEALTH-1' {L} WHERE f.disease IN ('恶性肿瘤', '尿毒症', '白血病', "
        "'先天性心脏病', '重性精神病', '耐多药肺结核')"
    ],
    "education": [
        f"SELECT reg.person_id, 'W-EDU-1' {L} WHERE f.school_status IN ('辍学', '失学') AND "
        "date_diff('year', reg.birth_date, coalesce(f.event_date, DATE '2026-11-03')) - (strftime(coalesce("
        "f.event_date, DATE '2026-11-03'), '%m%d') < strftime(reg.birth_date, '%m%d'))::INT BETWEEN 6 AND 15",
        f"SELECT reg.person_id, 'W-EDU-2' {L} WHERE f.stage IN ('高中', '中职') AND f.self_paid > 10000",
    ],
    "emergency": [
        f"SELECT reg.person_id, 'W-DIS-1' {L} WHERE f.loss IN ('房屋倒塌', '房屋严重损坏', '农作物绝收', '人员伤亡')"
    ],
    "housing": [
        f"SELECT reg.person_id, 'W-HOUSE-1' {L} WHERE f.rating IN ('C', 'D') AND "
        "(reg.population IN ('escaped', 'monitored') OR reg.is_dibao OR reg.is_tekun OR f.household_group IN "
        "('农村低保户', '农村分散供养特困人员', '低保边缘家庭', '严重困难家庭', '监测对象', '其他脱贫户'))",
        f"SELECT reg.person_id, 'GAP-HOUSE' {L} WHERE f.rating IN ('C', 'D') AND f.renovation = '未改造' AND {ESC}",
    ],
    "water": [
        f"SELECT reg.person_id, 'W-WATER-1' {L} WHERE f.problem IN ('水质不达标', '取水不便') OR f.outage_days > 30"
    ],
    "human_resources": [
        f"SELECT reg.person_id, 'W-EMP-1' {L} WHERE f.employment IN ('失业', '返乡未就业', '未就业') AND {ESC}",
        f"SELECT reg.person_id, 'W-EMP-1B' {L} WHERE f.job_loss_type IN ('企业裁员', '企业停产', '规模性失业')",
        f"SELECT reg.person_id, 'W-EMP-1C' {L} WHERE f.employment = '返乡未就业' AND reg.population = 'ordinary'",
        f"SELECT reg.person_id, 'W-EMP-1D' {L} WHERE f.zero_employment_family = '是'",
    ],
    "disabled_persons_federation": [
        f"SELECT reg.person_id, 'W-DISAB-1' {L} WHERE f.grade <= 2 AND f.cert_change = '新办'"
    ],
    "civil_affairs": [
        f"SELECT reg.person_id, 'W-CIVIL-1' {L} WHERE f.benefit IN ('低保', '特困') AND f.change = '取消'",
        f"SELECT reg.person_id, 'W-CIVIL-1B' {L} WHERE f.benefit IN ('低保', '特困') AND f.change = '新增'",
        f"SELECT reg.person_id, 'W-CIVIL-1C' {L} WHERE f.benefit = '临时救助' AND f.change <> '取消'",
        f"SELECT reg.person_id, 'W-CIVIL-1D' {L} WHERE f.benefit = '殡葬' AND reg.labour IN ('skilled', 'ordinary')",
        f"SELECT reg.person_id, 'W-CIVIL-1E' {L} WHERE f.benefit = '低收入预警'",
        f"SELECT reg.person_id, 'GAP-DEATH' {L} WHERE f.benefit = '殡葬' AND reg.person_status = 'active'",
    ],
    "agriculture_rural": [
        f"SELECT reg.person_id, 'W-AGRI-1' {L} WHERE f.event = '产业项目失败' OR f.loss_amount >= 10000"
    ],
    "transport": [f"SELECT reg.person_id, 'W-TRANS-1' {L} WHERE f.casualty IN ('死亡', '重伤')"],
    "public_security": [
        f"SELECT reg.person_id, 'W-PUB-1' {L} WHERE f.change_type = '迁出' AND reg.person_status = 'active'",
        f"SELECT reg.person_id, 'GAP-DEATH-PUB' {L} WHERE f.change_type = '死亡' AND reg.person_status = 'active'",
    ],
}


def _django(work: Path) -> None:
    db = work / "monthly.sqlite3"
    db.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DB", f"sqlite:///{db}")
    os.environ["FANGPIN_VAR_DIR"] = str(work / "var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _persons_for(hits: list, reg_path: Path) -> None:
    """Untimed: the registry rows the warnings point at (the bench DB holds no 10M registry)."""
    import duckdb

    from fangpin.areas.models import Area
    from fangpin.registry.models import Household, Person

    ids = sorted({h[0] for h in hits} - set(Person.objects.values_list("id", flat=True)))
    if not ids:
        return
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT person_id, household_id, id18, name, sex, birth_date, village_code FROM read_parquet('{reg_path}') "
        "WHERE person_id IN (SELECT unnest(?::BIGINT[]))",
        [ids],
    ).fetchall()
    villages = {}
    for code in {r[6] for r in rows}:
        villages[code] = Area.objects.get_or_create(code=code, defaults={"name": code, "level": "village"})[0]
    known = set(Household.objects.values_list("id", flat=True))
    Household.objects.bulk_create(
        [
            Household(
                id=h, national_household_code=f"H{h}", village=villages[v], village_code=v, household_type="ordinary"
            )
            for h, v in {(r[1], r[6]) for r in rows}
            if h not in known
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    Person.objects.bulk_create(
        [
            Person(
                id=p,
                household_id=h,
                id_number=i,
                name=n,
                gender=s,
                birth_date=b,
                relationship="other",
                labour_capacity="ordinary",
            )
            for p, h, i, n, s, b, _ in rows
        ],
        batch_size=5000,
    )


def ours(files: list[tuple[str, Path, Path]], reg_path: Path, work: Path) -> dict:
    _django(work)
    from django.db import transaction

    from fangpin.datafeeds import services
    from fangpin.datafeeds.core import matching, pipeline
    from fangpin.datafeeds.core.sources.departments import get_source
    from fangpin.datafeeds.core.templates_rules import RULE_PARAMS, TEMPLATES
    from fangpin.datafeeds.models import FeedRun

    params = {k: Decimal(v[0]) for k, v in RULE_PARAMS.items()}
    timings = {"load": 0.0, "exact": 0.0, "fuzzy": 0.0, "rules": 0.0, "db": 0.0, "hand_rules": 0.0}
    recall_hit = recall_all = wrong_household = warnings = 0
    started_all = time.perf_counter()
    con = pipeline.connect()
    t = time.perf_counter()
    pipeline.registry_load(con, con.sql(f"SELECT * FROM read_parquet('{reg_path}')"))
    timings["registry"] = time.perf_counter() - t
    u = None
    for code, path, truth in files:
        source = get_source(code)
        t = time.perf_counter()
        pipeline.load(con, path, source, today=RUN_DAY)
        timings["load"] += time.perf_counter() - t
        t = time.perf_counter()
        matching.link_exact(con)
        timings["exact"] += time.perf_counter() - t
        t = time.perf_counter()
        # One batch: the registry's name features and the u-probabilities are estimated once.
        u = matching.link_fuzzy(con, reuse_registry_features=True, u=u).u or u
        timings["fuzzy"] += time.perf_counter() - t
        rules = [r for r in TEMPLATES if r.source == code]
        t = time.perf_counter()
        pipeline.evaluate_rules(con, rules, source=source, params=params, period=PERIOD, run_day=RUN_DAY)
        timings["rules"] += time.perf_counter() - t
        t = time.perf_counter()
        hits = con.execute(
            "SELECT h.person_id, h.household_id, h.rule_code, h.metric_value, h.threshold_value, "
            "h.event_date, h.window_key, f.line FROM hits h LEFT JOIN feed f USING (rid)"
        ).fetchall()
        timings["fetch"] = timings.get("fetch", 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        con.execute("CREATE OR REPLACE TEMP TABLE _hand(person_id BIGINT, rule_code VARCHAR)")
        for sql in HAND[code]:
            con.execute(f"INSERT INTO _hand SELECT DISTINCT * FROM ({sql})")
        timings["hand_rules"] += time.perf_counter() - t
        con.execute(f"CREATE OR REPLACE TEMP TABLE truth AS SELECT * FROM read_parquet('{truth}')")
        recall = con.execute(
            """SELECT count(*), count(h.person_id) FROM truth t JOIN feed f ON f.line = t.line
            LEFT JOIN (SELECT DISTINCT rid, person_id FROM hits) h ON h.rid = f.rid AND h.person_id = t.true_person_id
            WHERE t.injected"""
        ).fetchall()[0]
        recall_all += recall[0]
        recall_hit += recall[1]
        wrong_household += con.execute(
            """SELECT count(*) FROM hits h JOIN feed f USING (rid) JOIN truth t ON t.line = f.line
            WHERE t.true_household_id <> h.household_id"""
        ).fetchall()[0][0]
        _persons_for(hits, reg_path)
        run = FeedRun.objects.create(
            source=code,
            period=PERIOD,
            file_name=path.name,
            file_sha256=path.name,
            stored_path=str(path),
            scope_code="11",
        )
        t = time.perf_counter()
        with transaction.atomic():
            made = services._write_warnings(run, hits, rules, RUN_DAY)
        timings["db"] += time.perf_counter() - t
        warnings += made["warnings"]
        with open(work / "progress.log", "a") as log:  # readable while a long run is going
            rounded = {k: round(v, 2) for k, v in timings.items()}
            log.write(f"{time.strftime('%H:%M:%S')} {code}: {json.dumps(rounded)}\n")
    # The same-sized batch without the untimed test-setup inserts (_persons_for).
    total = sum(v for k, v in timings.items() if k != "hand_rules")
    return {
        "seconds": total,
        "wall_seconds_incl_setup": time.perf_counter() - started_all,
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "rules_ratio_vs_hand_sql": round(timings["rules"] / max(timings["hand_rules"], 1e-9), 3),
        "warnings": warnings,
        "injected_events": recall_all,
        "injected_found": recall_hit,
        "recall": round(recall_hit / max(recall_all, 1), 5),
        "wrong_household_warnings": wrong_household,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=200_000, help="registry persons")
    parser.add_argument("--peer")
    parser.add_argument("--reg")
    parser.add_argument("--rows-per-feed", type=int, default=0)
    args = parser.parse_args()
    from fangpin.datafeeds.core.sources.departments import SOURCES

    rows = args.rows_per_feed or max(1000, args.n // 40)
    reg = ensure_registry(args.n)
    files = []
    for i, source in enumerate(SOURCES):
        path, truth = ensure_feed(reg, source.code, rows, seed=100 + i, fmt="gb18030" if i % 2 else "csv")
        files.append((source.code, path, truth))
    if args.peer:
        peer_start()
        peer_result(**ours(files, reg, data_dir(f"feeds-monthly-{args.n}")))
        return
    from bench.common import write_result

    result = run_peer(MODULE, "ours", str(args.n), "--rows-per-feed", str(rows))
    write_result(
        f"feeds_monthly_{args.n}",
        ratio=result["rules_ratio_vs_hand_sql"],
        ratio_means="rule seconds (compiled rule language) ÷ hand-written DuckDB SQL seconds (lower is better)",
        target="≤ 1.3; whole monthly run ≤ 600 s at 10M; recall of injected events 1.0; 0 wrong-household warnings",
        figures={"registry_persons": args.n, "feeds": len(files), "rows_per_feed": rows, **result},
        command=f"make bench BENCH_ARGS='feeds_monthly --rows {args.n}'",
    )


if __name__ == "__main__":
    main()
