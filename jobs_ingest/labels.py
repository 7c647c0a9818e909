"""Fields read from the labels of a plain-HTML job page: "岗位名称：电焊工 薪资待遇：4500元 …".

County bureau detail pages write a posting as label/value pairs in a handful of layouts:
``<table>`` rows (th/td or td/td, several pairs per row, or a header row over value rows),
``<p>``/``<div>``/``<li>`` lines "标签：值" (full- or half-width colon, labels padded with
spaces such as "地　　点："), ``<dl><dt><dd>``, ``<strong>标签</strong>值`` and "【标签】值".
A page may hold several jobs: a header row over one row per job, or repeated title labels
("一、岗位名称：钢筋工 … 二、岗位名称：木工 …"; what precedes the first title is shared).

The page is first rendered to lines: block elements end lines, table cells and ``<dd>`` are
separated by tabs, and an element whose whole text is a known label gets a colon, so every
layout reads as "label: value" text. Then each line is scanned for known labels. A pay unit
written in the label ("薪资(元/天)", "日薪") is kept with the figure.

Precision first: only the labels below are read (a synonym list per field); a label we do not
know ends the value before it and is otherwise ignored; contact labels (联系电话, 联系人, 手机 …)
are known so that they end values, and are never read. Navigation, footers and sidebars (where
"地址：" means the bureau's own address) are skipped; a value that cannot be its field ("单位：元"
over a table) is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.html

# Field -> labels, longest first where one contains another.
LABELS: dict[str, tuple[str, ...]] = {
    "title": ("岗位名称", "职位名称", "招聘岗位", "招聘职位", "工种名称", "岗位", "职位", "工种"),
    "employer": ("用人单位", "招聘单位", "用工单位", "单位名称", "企业名称", "公司名称", "单位", "公司",
                 "企业"),
    "place_text": ("工作地点", "工作地址", "上班地点", "工作区域", "地点", "地址"),
    "pay_text": ("薪资待遇", "工资待遇", "薪酬待遇", "薪资", "工资", "薪酬", "月薪", "日薪", "时薪", "待遇"),
    "benefits_text": ("福利待遇", "福利"),
    "posted_text": ("发布日期", "发布时间"),
    "valid_through_text": ("报名截止日期", "报名截止时间", "截止日期", "截止时间", "有效期至", "报名截止",
                           "有效期"),
    "headcount_text": ("招聘人数", "需求人数", "人数"),
    "type_text": ("用工形式", "工作性质", "岗位类型"),
    "description": ("岗位职责", "岗位要求", "任职要求", "任职条件", "工作内容", "岗位描述", "职位描述",
                    "招聘要求"),
}
# Known so that they end the value before them; never read (a clerk's or boss's own phone).
IGNORED = ("联系电话", "联系方式", "联系人", "联系手机", "咨询电话", "报名电话", "电话", "手机", "手机号码",
           "电子邮箱", "邮箱", "传真", "微信", "QQ", "联系地址", "公司地址", "单位地址")
DESCRIPTION = "description"
CELL_BREAK = "\x1f"  # a paragraph or <br> inside a table cell (Python's \\s matches it too)
_SKIP = "-"
_BY_LABEL: dict[str, str] = {label: name for name, labels in LABELS.items() for label in labels}
_BY_LABEL.update(dict.fromkeys(IGNORED, _SKIP))

_BLOCK = frozenset({"p", "div", "li", "ul", "ol", "tr", "table", "tbody", "thead", "tfoot", "h1", "h2",
                    "h3", "h4", "h5", "h6", "section", "article", "main", "dl", "dt", "br", "hr",
                    "blockquote", "pre", "center", "form", "header", "body", "caption"})
_CELL = frozenset({"td", "th", "dd"})
_LABEL_TAGS = frozenset({"td", "th", "dt", "strong", "b", "span", "label", "em", "font", "i"})
_DROP = frozenset({"script", "style", "noscript", "template", "iframe", "nav", "footer", "aside", "select",
                   "option", "button", "head", "svg", "math", "object", "textarea"})
# class/id words of page chrome: "地址：" in a footer is the bureau's address, not the job's.
_CHROME = frozenset({"footer", "foot", "copyright", "bottom", "nav", "navbar", "menu", "sidebar", "side",
                     "breadcrumb", "crumb", "friendlink", "share"})
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z]+")

_LEAD_MARKS = ";|、.)★●◆■·•"
_LEAD = r"(?:^|(?<=[\s" + re.escape(_LEAD_MARKS) + r"]))"
_NUMERAL = r"[\d一二三四五六七八九十]{1,2}"
_NUMBERED = re.compile(rf"(?:{_NUMERAL}\s*[.、)]|\(\s*{_NUMERAL}\s*\))")
_PATTERN = "|".join(r"\s*".join(map(re.escape, label)) for label in sorted(_BY_LABEL, key=len, reverse=True))
# "薪资(元/天)：200": the unit written in the label belongs to the pay figure.
_UNIT = r"(?:\(\s*(?P<unit>[^()]{1,8}?)\s*\))?"
_KNOWN = re.compile(_LEAD + r"(?:【\s*(?P<a>" + _PATTERN + r")\s*】\s*:?|(?P<b>" + _PATTERN
                    + r")\s*" + _UNIT + r"\s*:)", re.I)
_RATE_LABELS = ("日薪", "时薪", "月薪")
_UNIT_WORD = re.compile(r"(?:万|千)?(?:元|人|名|个|次|户|件|吨|亩)(?:/(?:月|天|日|时|小时|年|人))?|%")
_LABEL_UNIT = re.compile(r"\(([^()]{1,8})\)$")
_GENERIC = re.compile(_LEAD + r"(?:【[^】]{1,10}】|[\u4e00-\u9fffA-Za-z]{2,8}\s*:)")
_HEADER_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,8}")
_TRIM = " \t;；,，。、"
MAX_DESCRIPTION_LINES = 40
MAX_NEXT_LINE = 80


@dataclass
class LabelledPage:
    """What the labels of one page say: ``fields`` for the page (its one job, or what its jobs
    share), ``rows`` one per job where it has several (a column table, repeated title labels)."""

    fields: dict[str, str] = field(default_factory=dict)
    rows: list[dict[str, str]] = field(default_factory=list)


def label_field(text: str) -> str | None:
    """The field a label names ("地　　点：" -> place_text), "-" for contact labels, None if unknown."""
    key = _LABEL_UNIT.sub("", re.sub(r"\s+", "", _fold(text)).strip(":【】[]"))
    return _BY_LABEL.get(key) or _BY_LABEL.get(key.upper())


def extract_labelled(html: str | Any) -> LabelledPage:
    """Fields from the labels of an HTML page (text or an lxml element)."""
    root = lxml.html.fromstring(html) if isinstance(html, str) else html
    return read_lines(render_lines(root))


def render_lines(root: Any) -> list[str]:
    """The element's text as lines; table cells and <dd> separated by tabs, labels given colons.

    Inside a cell, paragraphs and <br> (Word-pasted tables are full of them) become
    ``CELL_BREAK`` instead of line ends, so a row stays one line.
    """
    out: list[str] = []
    _render(root, out)
    lines = (_fold(line).strip(" ") for line in "".join(out).split("\n"))
    return [line for line in lines if line.strip(" \t" + CELL_BREAK)]


def plain(line: str) -> str:
    """A rendered line as plain text: tabs and cell breaks become spaces."""
    return re.sub(r"[ \t" + CELL_BREAK + r"]+", " ", line).strip()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\xa0", " ")


def _render(root: Any, out: list[str]) -> None:
    """Depth-first without recursion (a hostile page may nest thousands of elements)."""
    stack: list[tuple[Any, bool, bool]] = [(root, False, False)]  # element, inside a cell, closing
    while stack:
        element, in_cell, closing = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        brk = CELL_BREAK if in_cell and tag not in _CELL else "\n"
        if closing:
            if tag in _LABEL_TAGS and _is_bare_label(element):
                out.append(":")
            if tag in _BLOCK and tag != "dt":  # a <dt> and its <dd> stay on one line
                out.append(brk)
            if element is not root:  # the root's tail lies outside what was asked for
                out.append(_SPACES.sub(" ", element.tail or ""))
            continue
        if not tag or tag in _DROP or _is_chrome(element):
            out.append(_SPACES.sub(" ", element.tail or ""))  # a comment's or dropped element's tail is text
            continue
        in_cell = (in_cell or tag in _CELL) and tag != "table"  # a table inside a cell has rows again
        brk = CELL_BREAK if in_cell and tag not in _CELL else "\n"
        if tag in _BLOCK:
            out.append(brk)
        if tag in _CELL:
            out.append("\t")
        out.append(_SPACES.sub(" ", element.text or ""))  # source line breaks are no breaks in HTML
        stack.append((element, in_cell, True))
        stack.extend((child, in_cell, False) for child in reversed(element))


def _is_chrome(element: Any) -> bool:
    words = " ".join(str(element.get(name) or "") for name in ("class", "id")).lower()
    return any(word in _CHROME for word in _WORD.findall(words))


def _is_bare_label(element: Any) -> bool:
    """A cell or emphasis holding a known label and nothing else, without its colon."""
    text = ""
    for piece in element.itertext():  # a layout cell may hold the whole page: stop early
        text += piece
        if len(text) > 64:
            return False
    text = _fold(text).strip()
    if not text or len(text) > 16 or text.endswith(":") or text.endswith("】"):
        return False
    return label_field(text) is not None


@dataclass(frozen=True, slots=True)
class _Hit:
    name: str  # a field name or "-"
    label: str
    start: int
    end: int
    unit: str = ""  # written in the label: "薪资(元/天)"


def _hits(line: str) -> list[_Hit]:
    found = []
    for match in _KNOWN.finditer(line):
        label = re.sub(r"\s+", "", match.group("a") or match.group("b"))
        name = label_field(label)
        if name is not None:
            found.append(_Hit(name, label, match.start(), match.end(), match.group("unit") or ""))
    return found


def _value(line: str, start: int, stop: int, name: str) -> str:
    """The text after a label up to the next label (any label, for fields other than the description)."""
    region = line[start:stop].lstrip(" \t:" + CELL_BREAK)  # "<td><b>岗位</b>：</td>" has two colons
    cut = region.find("\t")
    if cut >= 0:
        region = region[:cut]
    if name == DESCRIPTION:
        parts = (re.sub(r"[ ]{2,}", " ", part).strip() for part in region.split(CELL_BREAK))
        return "\n".join(part for part in parts if part)
    # The next label-like text ends the value, unless nothing comes before it: "【急招高薪】普工"
    # in a 岗位名称 cell is the title itself, written with a bracketed lead.
    for generic in _GENERIC.finditer(region):
        if plain(region[: generic.start()]).strip(_TRIM):
            region = region[: generic.start()]
            break
    return plain(region).strip(_TRIM)


def plausible(name: str, value: str) -> bool:
    """False for a value that cannot be the field: "单位：元" above a table names a unit, no employer;
    a title or employer without a letter or character of a name ("—", "2", "/")."""
    if name in ("title", "employer", "place_text") and not re.search(r"[\u4e00-\u9fffA-Za-z]", value):
        return False
    return not (name == "employer" and _UNIT_WORD.fullmatch(value))


class _Jobs:
    """Fields in reading order: those before the first title are shared; each new title
    ("岗位名称：电焊工 … 岗位名称：普工 …") starts another job; the first value of a field wins."""

    def __init__(self) -> None:
        self.shared: dict[str, str] = {}
        self.jobs: list[dict[str, str]] = []
        self.descriptions: list[list[tuple[str, str]]] = [[]]  # shared, then one list per job

    def put(self, name: str, value: str) -> None:
        if not plausible(name, value):
            return
        if name == "title":
            current = self.jobs[-1] if self.jobs else None
            if current is None or current["title"] != value:  # the same title again is the same job
                self.jobs.append({"title": value})
                self.descriptions.append([])
            return
        (self.jobs[-1] if self.jobs else self.shared).setdefault(name, value)

    def describe(self, label: str, text: str) -> None:
        self.descriptions[-1].append((label, text))

    def page(self, rows: list[dict[str, str]]) -> LabelledPage:
        """The shared fields and one job as the page's fields, or several jobs as rows."""
        for fields, described in zip([self.shared, *self.jobs], self.descriptions, strict=True):
            if len(described) == 1:
                fields[DESCRIPTION] = described[0][1]
            elif described:
                fields[DESCRIPTION] = "\n".join(f"{label}:{text}" for label, text in described)
        if len(self.jobs) > 1:
            return LabelledPage(fields=self.shared, rows=[*rows, *self.jobs])
        job = self.jobs[0] if self.jobs else {}
        return LabelledPage(fields={**job, **self.shared, **({DESCRIPTION: job[DESCRIPTION]}
                                                             if DESCRIPTION in job else {})}, rows=rows)


def read_lines(lines: list[str]) -> LabelledPage:
    """Fields from rendered lines; descriptions are gathered over the lines that follow them."""
    jobs = _Jobs()
    rows: list[dict[str, str]] = []
    i = 0
    while i < len(lines):
        hits = _hits(lines[i])
        table, skip = _column_table(lines, i, hits)
        rows.extend(table)
        for n, hit in enumerate(hits if not skip else []):
            stop = hits[n + 1].start if n + 1 < len(hits) else len(lines[i])
            value = _value(lines[i], hit.end, stop, hit.name)
            last = n == len(hits) - 1
            if hit.name == DESCRIPTION:
                more, skip = _following(lines, i + 1, bool(value)) if last else ([], 0)
                text = "\n".join([value, *more] if value else more)
                if text:
                    jobs.describe(hit.label, text)
            elif hit.name != _SKIP:
                value = value or (_next_line_value(lines, i + 1) if len(hits) == 1 else "")
                if value:
                    jobs.put(hit.name, _pay(value, hit) if hit.name == "pay_text" else value)
        i += 1 + skip
    return jobs.page(rows)


def _pay(value: str, hit: _Hit) -> str:
    """Pay as written, with what its label says about the unit: 日薪/时薪 name it, "(元/天)" too."""
    if hit.label in _RATE_LABELS and re.search(r"\d", value) and hit.label not in value:
        value = f"{hit.label}{value}"
    return with_unit(value, hit.unit)


def with_unit(value: str, unit: str) -> str:
    """A pay figure with the unit its label wrote ("200" under "薪资(元/天)" is "200元/天")."""
    if not unit or not re.search(r"\d", value) or re.search(r"[元/]|[kK千万]", value):
        return value
    return f"{value}{unit}"


def _following(lines: list[str], start: int, continuation_only: bool) -> tuple[list[str], int]:
    """Lines after a description label, up to a line that starts with a known label.

    After a label with a value on its own line, only numbered lines ("2. …", "（二）…") continue it.
    """
    taken: list[str] = []
    for line in lines[start: start + MAX_DESCRIPTION_LINES]:
        text = plain(line)
        hits = _hits(line)
        if hits and _starts_line(line, hits[0]):
            break
        if continuation_only and not _NUMBERED.match(text):
            break
        taken.append(text)
    return [t for t in taken if t], len(taken)


def _starts_line(line: str, hit: _Hit) -> bool:
    """Whether a label opens its line (after at most a number: "二、岗位名称：…")."""
    prefix = line[: hit.start].strip(" \t" + CELL_BREAK)
    return not prefix.strip(_LEAD_MARKS) or bool(_NUMBERED.fullmatch(prefix))


def _next_line_value(lines: list[str], index: int) -> str:
    """A label alone on its line ("岗位名称：" then "电焊工"): a short next line, one cell, no labels."""
    if index >= len(lines) or _hits(lines[index]) or _GENERIC.match(plain(lines[index])):
        return ""
    cells = lines[index].strip(" \t").split("\t")
    value = plain(cells[0]).strip(_TRIM)
    return value if len(cells) == 1 and len(value) <= MAX_NEXT_LINE else ""


def _cells(line: str) -> list[str]:
    return [plain(cell).strip(" :") for cell in line.strip(" ").removeprefix("\t").split("\t")]


def _column_table(lines: list[str], index: int, hits: list[_Hit]) -> tuple[list[dict[str, str]], int]:
    """A header row of labels over rows of values (one job per row): (the rows, lines used).

    Header cells we do not know are allowed (their columns are ignored) if they look like labels.
    """
    header = _cells(lines[index])
    names = [label_field(cell) for cell in header]
    units = [(_LABEL_UNIT.findall(cell.replace(" ", "")) or [""])[0] for cell in header]
    known = [name for name in names if name is not None]
    if len(known) < 2 or "title" not in known or len(hits) != len(known):
        return [], 0
    unknown = [cell for name, cell in zip(names, header, strict=True) if name is None]
    if not all(_HEADER_WORD.fullmatch(cell) for cell in unknown):
        return [], 0
    rows: list[dict[str, str]] = []
    used = 0
    for line in lines[index + 1:]:
        cells = _cells(line)
        if len(cells) != len(header) or _hits(line):  # the table ends
            break
        used += 1
        row = {name: with_unit(cell.strip(_TRIM), unit) if name == "pay_text" else cell.strip(_TRIM)
               for name, cell, unit in zip(names, cells, units, strict=True)
               if name and name != _SKIP and cell.strip(_TRIM) and plausible(name, cell.strip(_TRIM))}
        if row.get("title"):
            rows.append(row)
    return rows, used


def iter_fields(page: LabelledPage) -> Iterator[dict[str, str]]:
    """One field dict per job on the page: each column-table row over the page's fields, or the page."""
    if not page.rows:
        yield dict(page.fields)
        return
    for row in page.rows:
        yield {**page.fields, **row}


def strip_own_label(text: str, name: str) -> str:
    """``text`` without a leading label of field ``name`` ("岗位名称：电焊工" -> "电焊工")."""
    folded = _fold(text).strip()
    hits = _hits(folded)
    if hits and hits[0].start == 0 and hits[0].name == name:
        return folded[hits[0].end:].strip(_TRIM)
    return text
