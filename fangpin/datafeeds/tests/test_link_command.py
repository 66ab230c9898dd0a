"""`fangpin link LEFT RIGHT --config CONFIG.toml --out DIR` on labelled data."""

from __future__ import annotations

import csv

import pytest
from django.core.management import CommandError, call_command

from fangpin.synth.feeds import synth_feed, synth_registry

CONFIG = """
[left]
id = "person_id"
name = "name"
birth_date = "birth_date"
sex = "sex"
address = "village_code"
id_number = "id18"

[right]
id = "业务流水号"
name = "姓名"
birth_date = "出生日期"
sex = "性别"
address = "村代码"
id_number = "身份证号"
"""


def test_links_csv_has_one_link_per_right_record_and_matches_the_truth(tmp_path):
    reg = synth_registry(20_000, seed=4)
    feed = synth_feed(reg, "health", 3_000, seed=5)
    reg.write_parquet(tmp_path / "left.parquet")
    feed.frame.write_csv(tmp_path / "right.csv")
    (tmp_path / "link.toml").write_text(CONFIG, encoding="utf-8")
    call_command(
        "link",
        str(tmp_path / "left.parquet"),
        str(tmp_path / "right.csv"),
        config=str(tmp_path / "link.toml"),
        out=str(tmp_path / "out"),
    )
    with open(tmp_path / "out" / "links.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["left_id", "right_id", "probability", "band"]
    assert {r["band"] for r in rows} <= {"auto", "review"}
    assert len({r["right_id"] for r in rows}) == len(rows)
    truth = dict(zip(feed.frame["业务流水号"].to_list(), feed.truth["true_person_id"].to_list(), strict=True))
    auto = [r for r in rows if r["band"] == "auto"]
    correct = sum(int(r["left_id"]) == truth[r["right_id"]] for r in auto)
    in_registry = sum(1 for v in truth.values() if v > 0)
    assert correct / len(auto) >= 0.995
    assert correct / in_registry >= 0.95


def test_a_config_without_the_id_column_is_refused_in_chinese(tmp_path):
    (tmp_path / "bad.toml").write_text("[left]\nname = 'n'\n[right]\nid = 'x'\nname = 'n'\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text("n\n甲\n", encoding="utf-8")
    with pytest.raises(CommandError, match="至少给出 id 和 name"):
        call_command(
            "link",
            str(tmp_path / "a.csv"),
            str(tmp_path / "a.csv"),
            config=str(tmp_path / "bad.toml"),
            out=str(tmp_path / "o"),
        )
