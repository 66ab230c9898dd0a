"""`fangpin describe-format`: the registry file format as Markdown (docs/formats.md)."""

from django.core.management.base import BaseCommand

from fangpin.registry.importing.schema import COLUMNS

LEVELS = {"key": "每行", "household": "户（户主行）", "person": "人", "income": "收支（户主行）"}


def format_markdown() -> str:
    lines = [
        "## 农户信息文件（registry.csv / registry.xlsx）",
        "",
        "One row per person. Household columns and income columns are read from the head's row",
        "(与户主关系 = 户主); on other rows they may be blank, and if filled they must agree.",
        "The first row holds the column names; columns may come in any order; the aliases in the",
        "third column are accepted too. `fangpin synth` writes exactly these columns in this order.",
        "",
        "| 列名 | 级别 | 别名 | 必填 | 说明 |",
        "|---|---|---|---|---|",
    ]
    for c in COLUMNS:
        lines.append(
            f"| {c.header} | {LEVELS[c.level]} | {'、'.join(c.aliases)} | {'是' if c.required else ''} | {c.note} |"
        )
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "打印农户信息导入文件的列定义（Markdown）"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        self.stdout.write(format_markdown(), ending="")
