"""Chinese messages for the codes raised by pure modules (they import no Django)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fangpin.core import idnumber

ID_MESSAGES = {
    idnumber.EMPTY: _("身份证号为空"),
    idnumber.EXCEL_NUMERIC: _("身份证号被Excel存成了数字，后三位已丢失，无法修复；请把该列设为文本格式后重新填写导出"),
    idnumber.EXCEL_SCIENTIFIC: _(
        "身份证号被Excel显示为科学计数法（如3.40102E+17），原号码已丢失；请把该列设为文本格式后重新填写"
    ),
    idnumber.EXCEL_TRUNCATED: _(
        "身份证号末三位为000且校验位不符，疑似被Excel截断（Excel只保留15位有效数字）；请核对原始证件号后以文本格式重新填写"
    ),
    idnumber.BAD_CHARS: _("身份证号含有非法字符（只能是数字，最后一位可以是X）"),
    idnumber.BAD_LENGTH: _("身份证号位数不对（应为18位，或15位旧号码）"),
    idnumber.BAD_BIRTH_DATE: _("身份证号中的出生日期不存在"),
    idnumber.FUTURE_BIRTH_DATE: _("身份证号中的出生日期晚于今天"),
    idnumber.BAD_CHECK_DIGIT: _("身份证号校验位错误，可能有数字输错"),
    idnumber.BIRTH_DATE_MISMATCH: _("出生日期与身份证号中的出生日期不一致"),
    idnumber.SEX_MISMATCH: _("性别与身份证号第17位表示的性别不一致"),
}


def id_message(code: str) -> str:
    return str(ID_MESSAGES.get(code, _("身份证号无效")))
