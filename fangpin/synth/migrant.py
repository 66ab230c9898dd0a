"""Dated migrant-work spells (务工记录) for a synthetic county's members,
consistent with each member's 务工所在地 / 务工时间（月） fields.

Pure and reproducible: the same members, reference month and seed give the
same spells.  Patterns: a member marked as working away has a spell covering
their months of work in the past year, most still open (away now), some ended
(back home); about half of them also have an earlier, ended spell.  Of the
able-bodied members marked not working, some worked away before and came
back; a small share (1 %) have a spell nobody closed, which is what the
DQ-19 check exists to find.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

PLACES = {
    "in_county": ["县城", "县经济开发区", "乡镇集镇"],
    "in_province": ["哈尔滨市", "大庆市", "绥化市北林区", "齐齐哈尔市"],
    "out_of_province": ["北京市", "天津市", "山东省青岛市", "辽宁省大连市", "江苏省苏州市", "浙江省宁波市"],
}
INDUSTRIES = ["建筑业", "制造业", "餐饮住宿", "交通运输和物流", "家政服务", "批发零售"]
LOCATIONS = list(PLACES)


@dataclass(frozen=True)
class Member:
    person_id: int
    work_location: str  # "" = not working away
    work_months: int | None
    can_work: bool


@dataclass(frozen=True)
class Spell:
    person_id: int
    start_month: date
    end_month: date | None
    location: str
    place: str
    industry: str
    monthly_income: int


def months_before(month: date, k: int) -> date:
    index = month.year * 12 + month.month - 1 - k
    return date(index // 12, index % 12 + 1, 1)


def spells(members: Iterable[Member], *, this_month: date, seed: int) -> list[Spell]:
    rng = np.random.default_rng(seed)
    out: list[Spell] = []

    def spell(m: Member, start: date, end: date | None, location: str) -> Spell:
        return Spell(
            person_id=m.person_id,
            start_month=start,
            end_month=end,
            location=location,
            place=str(rng.choice(PLACES[location])),
            industry=str(rng.choice(INDUSTRIES)),
            monthly_income=int(rng.integers(28, 71)) * 100,
        )

    for m in members:
        if m.work_location:
            worked = min(max(m.work_months or int(rng.integers(3, 13)), 1), 12)
            if rng.random() < 0.8:  # away now: the spell began `worked` months ago at the latest
                start = months_before(this_month, int(rng.integers(worked - 1, 12)))
                current = spell(m, start, None, m.work_location)
            else:  # came back within the year after `worked` months away
                end = months_before(this_month, int(rng.integers(1, max(2, 13 - worked))))
                current = spell(m, months_before(end, worked - 1), end, m.work_location)
            if rng.random() < 0.5:  # an earlier season away, ended before the current one
                end = months_before(current.start_month, int(rng.integers(2, 10)))
                out.append(spell(m, months_before(end, int(rng.integers(4, 11))), end, str(rng.choice(LOCATIONS))))
            out.append(current)
        elif m.can_work:
            draw = rng.random()
            if draw < 0.01:  # never closed although the member is home: DQ-19 finds these
                out.append(spell(m, months_before(this_month, int(rng.integers(6, 30))), None, "out_of_province"))
            elif draw < 0.16:  # worked away before and came back
                end = months_before(this_month, int(rng.integers(2, 24)))
                out.append(spell(m, months_before(end, int(rng.integers(2, 10))), end, str(rng.choice(LOCATIONS))))
    return out
