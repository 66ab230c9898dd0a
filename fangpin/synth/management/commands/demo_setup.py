"""`fangpin demo-setup`: the demo county, its parameters and one login per role.

Safe to run again: areas, the registry import and the users are only created
when missing, and the logins (random passwords kept in var/demo_logins.json)
stay the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from fangpin.accounts.models import User
from fangpin.accounts.services import user_create
from fangpin.areas.models import Area, AreaLevel
from fangpin.areas.services import areas_load_csv
from fangpin.core.actor import Actor
from fangpin.core.models import Channel
from fangpin.core.roles import Role
from fangpin.policy.models import PolicyParameter
from fangpin.policy.services import policy_set
from fangpin.registry.importing.services import import_apply, import_create, import_validate
from fangpin.registry.models import ImportBatch, ImportStatus
from fangpin.reports.services import refresh_counties
from fangpin.synth.county import write_county
from fangpin.synth.monitoring import monitoring_demo

DEMO_USERS = [
    ("county_admin", Role.COUNTY_ADMIN, "county", "县管理员"),
    ("county_staff", Role.COUNTY_STAFF, "county", "县审批员"),
    ("township_staff", Role.TOWNSHIP_STAFF, "township", "乡镇干部"),
    ("village_cadre", Role.VILLAGE_CADRE, "village", "村干部"),
    ("grid_worker", Role.GRID_WORKER, "grid", "网格员"),
    ("department_liaison", Role.DEPARTMENT_LIAISON, "county", "医保局联络员"),
    ("auditor", Role.AUDITOR, "county", "审计员"),
    # Keeps the holiday calendar and the provincial warning rules for every county below.
    ("province_admin", Role.PROVINCE_ADMIN, "province", "省级管理员"),
]


class Command(BaseCommand):
    help = "准备演示县：合成数据、行政区划、农户导入、政策参数和各角色演示账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=30000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, households: int, seed: int, **opts: Any) -> None:
        console = Console()
        demo_dir = Path(settings.VAR_DIR) / "demo" / f"{households}-{seed}"
        if not (demo_dir / "registry.csv").exists():
            console.print(f"生成演示县：{households} 户（种子 {seed}）…")
            write_county(demo_dir, households=households, seed=seed)
        actor = Actor.command()
        result = areas_load_csv(actor=actor, path=demo_dir / "areas.csv")
        if result.created:
            console.print(f"行政区划：新增 {result.created} 个")
        county = Area.objects.filter(level=AreaLevel.COUNTY).order_by("code").first()
        if county is None:
            raise CommandError("没有县级区划")
        self._registry(console, demo_dir / "registry.csv", actor)
        self._policy(county)
        logins = self._users(county)
        made = monitoring_demo(county=county)
        if made:
            console.print(
                "监测演示数据：监测户 {episodes} 户，风险线索 {clues} 条，识别认定程序 {cases} 件".format(
                    episodes=made.get("episodes", 0), clues=made.get("clues", 0), cases=made.get("cases", 0)
                )
            )
        refresh_counties(write=console.print)
        host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
        table = Table(title=f"演示账号（http://{host}:{port}/）")
        for column in ("角色", "用户名", "密码", "区划"):
            table.add_column(column)
        for username, role, _level, _name in DEMO_USERS:
            user = User.objects.select_related("area").get(username=username)
            table.add_row(str(Role(role).label), username, logins[username], user.area.name if user.area else "")
        console.print(table)

    def _registry(self, console: Console, path: Path, actor: Actor) -> None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if ImportBatch.objects.filter(file_sha256=digest, status=ImportStatus.APPLIED).exists():
            console.print("演示农户数据已导入，跳过。")
            return
        console.print("校验并导入演示农户数据（首次需要一两分钟）…")
        with open(path, "rb") as fh:
            batch = import_create(actor=actor, stream=fh, file_name=path.name, start=False)
        batch = import_validate(batch=batch)
        if batch.status != ImportStatus.VALIDATED:
            raise CommandError(f"演示数据校验失败：{batch.message}")
        batch = import_apply(batch=batch, actor=actor.with_batch(batch.ref, Channel.COMMAND))
        applied = batch.stats.get("applied", {})
        console.print(f"已导入 {applied.get('households_created', 0)} 户、{applied.get('persons_created', 0)} 人。")

    def _policy(self, county: Area) -> None:
        province = county.ancestors()[0] if county.ancestors() else None
        actor = Actor.command()
        if province and not PolicyParameter.objects.filter(key="monitoring_income_threshold", area=province).exists():
            policy_set(
                actor=actor,
                key="monitoring_income_threshold",
                area=province,
                value={"mode": "fixed_amount", "amount": "7200"},
                effective_from=date(2024, 1, 1),
                source_document="演示数据：省级2024年度监测范围",
                note="演示用",
            )
            policy_set(
                actor=actor,
                key="monitoring_income_threshold",
                area=province,
                value={"mode": "fixed_amount", "amount": "7500"},
                effective_from=date(2025, 1, 1),
                source_document="演示数据：省级2025年度监测范围",
                note="演示用",
            )
        if not PolicyParameter.objects.filter(key="dibao_standard_monthly", area=county).exists():
            policy_set(
                actor=actor,
                key="dibao_standard_monthly",
                area=county,
                value="610",
                effective_from=date(2025, 1, 1),
                source_document="演示数据：县民政局农村低保标准",
            )

    def _users(self, county: Area) -> dict[str, str]:
        path = Path(settings.VAR_DIR) / "demo_logins.json"
        logins: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        township = Area.objects.filter(level=AreaLevel.TOWNSHIP, parent=county).order_by("code").first()
        village = Area.objects.filter(level=AreaLevel.VILLAGE, parent=township).order_by("code").first()
        grid = Area.objects.filter(level=AreaLevel.GRID, parent=village).order_by("code").first()
        above = [a for a in county.ancestors() if a.level in (AreaLevel.PROVINCE, AreaLevel.CITY)]
        areas = {"province": above[0] if above else None, "county": county, "township": township}
        areas |= {"village": village, "grid": grid}
        for username, role, level, name in DEMO_USERS:
            if areas[level] is None:  # a county file without a province above it
                continue
            password = logins.get(username) or f"demo-{secrets.token_urlsafe(6)}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user_create(
                    actor=Actor.command(),
                    username=username,
                    password=password,
                    role=role,
                    area=areas[level],
                    display_name=name,
                    department="医疗保障局" if role == Role.DEPARTMENT_LIAISON else "",
                )
            elif not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            logins[username] = password
        path.write_text(json.dumps(logins, ensure_ascii=False, indent=1))
        path.chmod(0o600)
        return logins
