"""The error report of a batch as XLSX: row, household code, column, value, problem."""

from __future__ import annotations

import io

from fangpin.core.xlsx import write_xlsx
from fangpin.registry.models import ImportBatch


def issues_xlsx(batch: ImportBatch) -> bytes:
    rows = batch.issues.order_by("row", "id").values_list("row", "household_code", "column", "value", "message")
    buf = io.BytesIO()
    write_xlsx(
        buf,
        sheet="问题清单",
        header=["行号", "户编号", "列", "填写内容", "问题"],
        rows=([str(r[0]), *r[1:]] for r in rows),
        widths=[8, 22, 18, 24, 80],
    )
    return buf.getvalue()
