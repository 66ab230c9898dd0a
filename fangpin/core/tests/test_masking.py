import logging

from fangpin.core.logging import MaskingFilter
from fangpin.core.masking import mask_phone, mask_text


def test_phone_is_masked_in_the_middle():
    assert mask_phone("13912345678") == "139****5678"


def test_free_text_with_an_id_and_a_phone_is_masked():
    text = "张三 34010219800101159X 电话13912345678"
    assert mask_text(text) == "张三 3401**********159X 电话139****5678"


def test_log_records_are_masked_and_newlines_escaped():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "查询 %s\n伪造行", ("34010219800101159X",), None)
    MaskingFilter().filter(record)
    assert record.getMessage() == "查询 3401**********159X\\n伪造行"
