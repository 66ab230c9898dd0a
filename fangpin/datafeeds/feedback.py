"""The feedback workbook a department gets back for one run (XLSX, every cell text)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from fangpin.core.idnumber import mask
from fangpin.core.xlsx import safe_cell
from fangpin.datafeeds.models import DepartmentWarning, FeedRun, WarningRule
from fangpin.datafeeds.selectors import rule_titles


def feedback_xlsx(run: FeedRun) -> bytes:
    """Sheet 1: unmatched and invalid rows with reasons; sheet 2: verification outcome of each warning."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    _sheet(
        book, bold, "未匹配和有问题的行", ["原文件行号", "姓名", "身份证号（脱敏）", "列", "原因"], _problem_rows(run)
    )
    titles = rule_titles(scope_code=run.scope_code)
    # Only the department's own rules: registry-wide gap checks that ran alongside are not its business.
    own = WarningRule.objects.filter(source=run.source).values_list("code", flat=True)
    warnings = DepartmentWarning.objects.filter(run=run, rule_code__in=list(own)).order_by("line", "id")
    _sheet(
        book,
        bold,
        "预警核实结果",
        ["原文件行号", "规则", "规则名称", "指标值", "状态", "核实结果", "办结时间"],
        (
            [
                w.line or "",
                w.rule_code,
                titles.get(w.rule_code, ""),
                str(w.metric_value or ""),
                w.get_status_display(),
                w.verification_result,
                f"{w.closed_at:%Y-%m-%d}" if w.closed_at else "",
            ]
            for w in warnings.iterator()
        ),
    )
    book.close()
    return out.getvalue()


def _problem_rows(run: FeedRun) -> Iterator[list[Any]]:
    path = Path(run.stats.get("feedback", ""))
    if not path.is_file():
        return
    frame = pl.read_parquet(path)
    for line, name, raw, column, reason in frame.iter_rows():
        yield [line, name, mask(raw or ""), column, reason]


def _sheet(book: Any, bold: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    ws = book.add_worksheet(title)
    for col, name in enumerate(header):
        ws.write_string(0, col, name, bold)
        ws.set_column(col, col, 18)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            cell = safe_cell(value)
            if isinstance(cell, str):
                ws.write_string(r, c, cell)
            else:
                ws.write_number(r, c, cell)
    ws.freeze_panes(1, 0)
