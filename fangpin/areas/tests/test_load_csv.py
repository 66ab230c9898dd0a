import pytest

from fangpin.areas.models import Area
from fangpin.areas.services import areas_load_csv
from fangpin.core.actor import Actor
from fangpin.core.errors import InvalidInput

CSV = """区划代码,名称,层级,上级代码
340000000000,示例省,省,
340100000000,示例市,市,340000000000
340102000000,甲县,县,340100000000
340102001000,东镇,乡镇,340102000000
340102001001,一村,村,340102001000
340102001001001,一村第1网格,网格,340102001001
"""


@pytest.mark.django_db
def test_gbk_area_file_loads_and_a_second_run_changes_nothing(tmp_path):
    path = tmp_path / "areas.csv"
    path.write_bytes(CSV.encode("gbk"))
    first = areas_load_csv(actor=Actor.command(), path=path)
    second = areas_load_csv(actor=Actor.command(), path=path)
    assert (first.created, second.created, second.unchanged) == (6, 0, 6)
    grid = Area.objects.get(code="340102001001001")
    assert grid.parent.name == "一村"
    assert Area.objects.get(code="340102000000").contains(grid)


@pytest.mark.django_db
def test_code_that_does_not_fit_its_parent_is_reported_with_its_line(tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text(CSV + "340199001001,错村,村,340102001000\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        areas_load_csv(actor=Actor.command(), path=path)
    assert any("第8行" in r for r in err.value.reasons)
    assert not Area.objects.exists()
