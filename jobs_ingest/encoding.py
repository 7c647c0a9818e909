"""Bytes to text for Chinese pages, feeds and sheets.

Order: a byte-order mark, the charset the server declared, the charset the document declares
(``<meta charset>``, ``<meta http-equiv>``, ``<?xml encoding?>``), strict UTF-8, GB18030 when
it yields common simplified characters, the server's weak default (Latin-1) if it sent one,
then charset-normalizer's guess. GBK and GB2312 labels are decoded as GB18030, their
superset, because pages labelled GBK routinely contain characters only GB18030 has.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from jobs_ingest.records import Rejected

_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "gb_2312-80": "gb18030", "euc-cn": "gb18030", "big5": "big5hkscs", "utf8": "utf-8",
}
# Servers send these by default whatever the page holds; a Chinese page is never Latin-1,
# so they are only a last resort, after the document's own declaration and detection.
_WEAK = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252", "cp1252"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")
_CONTENT_TYPE = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
MAX_REPLACEMENT_SHARE = 0.01
COMMON_SHARE = 0.9


class UndecodableText(Rejected):
    """No encoding decodes the bytes into sensible text."""

    def __init__(self, detail: str):
        super().__init__("encoding", detail)


def canonical_codec(label: str | None) -> str | None:
    """A Python codec name for a charset label, GBK family mapped to GB18030; None if unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if codec in ("gbk", "gb2312") else codec


def charset_from_content_type(value: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    match = _CONTENT_TYPE.search(value or "")
    return match.group(1) if match else None


def sniff_charset(data: bytes) -> str | None:
    """The charset a document declares in its first bytes (meta tag or XML declaration)."""
    head = data[:4096]
    match = _XML_DECL.search(head) or _META.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def _candidates(data: bytes, declared: str | None) -> tuple[list[str], list[str]]:
    """(codecs worth trying first, weak labels to try only after the Chinese test)."""
    weak: list[str] = []
    found: list[str] = []
    for label in (declared, sniff_charset(data)):
        codec = canonical_codec(label)
        if codec:
            (weak if codec in _WEAK or (label or "").lower() in _WEAK else found).append(codec)
    return [*found, "utf-8"], weak


def _as_simplified_chinese(data: bytes) -> str | None:
    """GB18030 text whose characters are mostly the common ones (GB2312), else None.

    charset-normalizer cannot tell GBK from Big5 or CP949 on a short cell or title, and
    mainland bureaus' files are GBK far more often than anything else, so this test comes
    first; longer traditional-Chinese text falls through to the detector.
    """
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return text
    common = sum(1 for ch in wide if _in_gb2312(ch))
    return text if common >= COMMON_SHARE * len(wide) else None


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _strict(data: bytes, codecs_to_try: list[str]) -> tuple[str, str] | None:
    for codec in codecs_to_try:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to (text, codec); raises UndecodableText (reason ``encoding``)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    strong, weak = _candidates(data, declared)
    found = _strict(data, strong)
    if found:
        return found
    # A declared charset with a stray bad byte (a truncated last character) still wins.
    for codec in strong[:-1]:  # declared ones only: the UTF-8 default has no such claim
        text = data.decode(codec, errors="replace")
        if text.count("\ufffd") <= max(1, len(text) * MAX_REPLACEMENT_SHARE):
            return text, codec
    chinese = _as_simplified_chinese(data)
    if chinese is not None:
        return chinese, "gb18030"
    found = _strict(data, weak)
    if found:
        return found
    guess = from_bytes(data).best()
    if guess is not None and guess.encoding:
        return str(guess), canonical_codec(guess.encoding) or guess.encoding
    found = _strict(data, ["gb18030"])
    if found:
        return found
    raise UndecodableText("no encoding fits the bytes")
