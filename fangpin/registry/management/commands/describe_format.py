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
        "A household already registered is updated from the file; what a file may and may not change",
        "is checked row by row before anything is written, against the file and the registry:",
        "",
        "- A change of head is done when the file lists both the new head (户主) and the old one with",
        "  the relationship the old head takes; it is recorded as 变更户主. A file that names another",
        "  head and leaves the registered head out is refused on the new head's row: an import never",
        "  removes a member (减员 is done in the system).",
        "- A member who left (死亡, 迁出…) cannot be named head again; a 已注销 or 已并入他户 household",
        "  is not updated.",
        "- A person registered in another household is refused (use 转入他户 in the system).",
        "- One ID, one person: a name corrected on its own ID is an update, but an ID the registry",
        "  gives to another member of the household, or a registered member who comes with another ID",
        "  (same name and birth date), is refused.",
        "- Within the file: one head per household, each ID once.",
        "",
        "If the registry changes between validation and acceptance so that a household no longer",
        "passes these checks, that household is left out of the write and added to the report.",
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

    def handle(self, *args, **opts):
        self.stdout.write(format_markdown(), ending="")
