from pathlib import Path

from fangpin.registry.management.commands.describe_format import format_markdown


def test_docs_formats_page_matches_the_import_schema():
    page = (Path(__file__).resolve().parents[3] / "docs" / "formats.md").read_text(encoding="utf-8")
    assert format_markdown() in page
