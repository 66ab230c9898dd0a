"""Decoding county text files: UTF-8 (with or without BOM), UTF-16 with BOM, or
GB18030 (a superset of GBK and GB2312).  Never with errors="replace": a file
that decodes in none of them is refused, with the line of the first bad byte."""

from __future__ import annotations

import codecs

from fangpin.core.errors import InvalidInput


def detect_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(
            f"文件编码无法识别：第{line}行有既不是UTF-8也不是GB18030/GBK的字节；"
            "请在Excel或WPS中“另存为”CSV UTF-8或CSV（逗号分隔）后重新上传。"
        ) from exc


def decode_bytes(data: bytes) -> str:
    return data.decode(detect_encoding(data))
