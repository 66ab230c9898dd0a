"""Notice PDF with proper Chinese glyphs: reportlab's built-in CID font
STSong-Light needs no font file, so `make demo` needs nothing extra."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def notice_pdf(*, title: str, body: str, rows: list[list[str]], footer: str) -> bytes:
    """Render one notice (already masked) as an A4 PDF."""
    font = _font()
    title_style = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    text_style = ParagraphStyle("b", fontName=font, fontSize=11, leading=18, firstLineIndent=22)
    right = ParagraphStyle("r", fontName=font, fontSize=11, leading=18, alignment=2)
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=title)
    table = Table(rows, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    doc.build(
        [
            Paragraph(title, title_style),
            Spacer(1, 6 * mm),
            Paragraph(body, text_style),
            Spacer(1, 4 * mm),
            table,
            Spacer(1, 10 * mm),
            Paragraph(footer, right),
        ]
    )
    return buffer.getvalue()
