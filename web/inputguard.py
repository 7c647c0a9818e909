"""Input the database cannot hold is refused at one boundary, before any view runs.

- **Control characters**: PostgreSQL text cannot hold NUL, and no person types ESC, BEL or the
  other C0 controls into a form. A query string, form field (name or value), uploaded file name,
  URL path or JSON string (key or value) holding one — anything in U+0000–U+001F or U+007F except
  tab, line feed and carriage return — is answered 400 before the view runs. Refused, not
  stripped: silently changing what someone typed (a password, a name, a report) is worse than
  asking again, and the site's own forms never send them. Bidi overrides are not refused here
  (they are legitimate inside Arabic or Hebrew words); stored postings lose them in ingestion's
  text cleaning (``jobs_ingest.text.tidy``).
- **JSON depth**: a body nested deeper than ``MAX_JSON_DEPTH`` is a 400, found by an iterative
  scan of the raw bytes before any parser recurses into it (100,000 ``[`` raised RecursionError).
- **Ids**: every id fits PostgreSQL's ``integer``. Path ids stop at the URL converter
  (``web.register_converters``); query and form ids go through ``valid_id`` / ``query_id``; JSON
  ids through the ``web.schemas.DbId`` field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask, abort, request
from flask_babel import gettext
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from web.services.imports import UPLOAD_LIMIT

MAX_ID = 2**31 - 1
MAX_JSON_DEPTH = 64
# C0 controls and DEL, less tab, line feed and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)
# Answers every operation of the API may give whatever its own input: documented on each (see
# ``document_refusals``).
COMMON_RESPONSES = {"400": "Input the server cannot store: a control character (NUL, ESC, …), "
                           "JSON nested too deeply, or an id out of range",
                    "413": "Request body too large"}


# Endpoints that take a bigger body than MAX_CONTENT_LENGTH (the bureau's spreadsheet upload): the
# limit is raised here, before this hook parses the form, so an oversized file reaches the view's
# own "file too large" message instead of a bare 413. This is the one place it is raised.
UPLOAD_LIMITS = {"bureau.import_sheet": UPLOAD_LIMIT, "api_bureau.import_sheet": UPLOAD_LIMIT}


class Unstorable(BadRequest):
    """A 400 whose description says, in the visitor's language, what was wrong."""


def register(app: Flask) -> None:
    """Refuse unstorable input before every view; document the refusal on every API operation."""
    # First of all hooks: the refusal must not depend on the CSRF check, sign-in or limits.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unstorable)
    previous = app.spec_callback  # type: ignore[attr-defined]

    def spec(document: Any) -> Any:
        return document_refusals(previous(document) if previous else document)

    app.spec_callback = spec  # type: ignore[attr-defined]


def refuse_unstorable() -> None:
    """The before-request hook: path, query string, form, file names and JSON body."""
    if has_control(request.path) or _any_control(_pairs(request.args)):
        _refuse()
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.endpoint in UPLOAD_LIMITS:
            request.max_content_length = UPLOAD_LIMITS[request.endpoint]
            try:
                request.form  # noqa: B018 - parse now: too big is the view's to explain
            except RequestEntityTooLarge:
                return
        if _any_control(_pairs(request.form)):
            _refuse()
        if _any_control(f.filename or "" for _, f in request.files.items(multi=True)):
            _refuse()
        if request.is_json:
            _check_json(request.get_data(cache=True))


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character the database or a reader should never get (NUL, ESC, …)."""
    return CONTROL.search(text) is not None


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON ``body`` nests arrays/objects deeper than ``limit`` (iterative; strings skipped)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for token in _JSON_TOKEN.finditer(body):
        char = token.group()[:1]
        if char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


def valid_id(value: Any) -> int | None:
    """``value`` as a database id (1 … 2³¹−1), or None when it is not one."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def query_id(name: str) -> int | None:
    """The id in query argument ``name``; None when absent or empty; 404 when it is not an id."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    number = valid_id(raw)
    if number is None:
        abort(404)
    return number


def form_ids(name: str) -> list[int]:
    """Every id in form field ``name`` (repeated); 400 when one is not an id."""
    ids = [valid_id(v) for v in request.form.getlist(name)]
    if any(i is None for i in ids):
        abort(400)
    return [i for i in ids if i is not None]


def query_page(name: str = "page", last: int = 10_000) -> int:
    """A page number from the query string, clamped to 1 … ``last`` (garbage is page 1)."""
    raw = request.args.get(name, "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        return 1
    return min(last, max(1, int(raw)))


def document_refusals(spec: dict[str, Any]) -> dict[str, Any]:
    """The document says what this hook does: every operation may answer 400 (and 413, the body
    limit), and no string a client sends may hold a control character (a ``pattern`` on each)."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                for code, description in COMMON_RESPONSES.items():
                    operation["responses"].setdefault(code, {"description": description,
                                                             "content": _error_content(spec)})
                _forbid_controls([operation.get("parameters", []), operation.get("requestBody", {})])
    inputs = [schema for name, schema in spec.get("components", {}).get("schemas", {}).items()
              if name.endswith("In")]
    _forbid_controls(inputs)
    return spec


NO_CONTROLS = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"
_NOT_TEXT = {"date", "date-time", "binary", "byte"}


def _forbid_controls(roots: list[Any]) -> None:
    """Give every free string schema under ``roots`` the ``NO_CONTROLS`` pattern (iteratively)."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if node.get("type") == "string" and "enum" not in node and node.get("format") not in _NOT_TEXT:
                node.setdefault("pattern", NO_CONTROLS)
            if node.get("type") == "object" and "properties" in node:  # keys are checked as well
                node.setdefault("propertyNames", {"pattern": NO_CONTROLS})
            stack.extend(v for k, v in node.items() if k != "$ref")


def _error_content(spec: dict[str, Any]) -> dict[str, Any]:
    schemas = spec.get("components", {}).get("schemas", {})
    if "HTTPError" in schemas:
        return {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}}
    return {"application/json": {"schema": {"type": "object"}}}


def _pairs(multidict: Any) -> Iterator[str]:
    for key, value in multidict.items(multi=True):
        yield key
        yield value


def _any_control(texts: Iterable[str]) -> bool:
    return any(isinstance(t, str) and has_control(t) for t in texts)


def _check_json(body: bytes) -> None:
    """Depth first (no recursion), then every string in the parsed body."""
    if json_depth_exceeds(body):
        raise Unstorable(gettext("提交的数据嵌套太深了。"))
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return  # not JSON: the view's parser answers that with its own 400
    if _any_control(_json_strings(parsed)):
        _refuse()


def _json_strings(value: Any) -> Iterator[str]:
    """Every key and string value in a parsed JSON document, iteratively."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _refuse() -> None:
    raise Unstorable(gettext("提交的内容里有不能保存的控制字符（例如 NUL），请删掉后再试。"))
