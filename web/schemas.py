"""Input and output schemas shared by the search form and the JSON API (one set of rules)."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime as _datetime
from typing import Any

from apiflask import Schema
from apiflask.fields import Boolean, Date, Dict, Float, Integer, List, Nested, String
from apiflask.fields import Date as _Date
from apiflask.fields import DateTime as _DateTime
from apiflask.fields import Dict as _Dict
from apiflask.validators import Length, OneOf, Range
from marshmallow import EXCLUDE, ValidationError, validates, validates_schema

from jobs_ingest.clock import china_today
from web.inputguard import MAX_ID  # PostgreSQL integer; the URL converter's cap too
from web.models import REPORT_REASONS

MAX_TEXT = 500


class DateTime(_DateTime):
    """An RFC 3339 timestamp, always with its offset: SQLite gives back naive UTC values (PostgreSQL
    aware ones), and a timestamp without an offset is not a ``date-time``."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, _datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def DbId(message: str, **kwargs: Any) -> Integer:  # noqa: N802 - used like a field class
    """An id field: an integer 1 … 2³¹−1 (a larger one is a 422, never a database error)."""
    return Integer(validate=Range(min=1, max=MAX_ID, error=message), **kwargs)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext_noop marker
    """Mark a message for the catalogue; views translate it when they show it."""
    return message


# marshmallow's own messages (English) as the site's Chinese msgids: a form page shows them in the
# page's language like every other message (``field_error``). The API's 422 bodies keep marshmallow's.
BUILT_IN_MESSAGES = {
    "Missing data for required field.": N_("请填写这一项。"),
    "Field may not be null.": N_("请填写这一项。"),
    "Invalid value.": N_("填写的内容不对。"),
    "Not a valid integer.": N_("请填一个整数（只用数字）。"),
    "Number too large.": N_("数字太大了。"),
    "Not a valid number.": N_("请填一个数字。"),
    "Special numeric values (nan or infinity) are not permitted.": N_("请填一个数字。"),
    "Not a valid string.": N_("请填文字。"),
    "Not a valid utf-8 string.": N_("请填文字。"),
    "Not a valid boolean.": N_("请选择是或否。"),
    "Not a valid date.": N_("日期不对，请按“2026-05-01”的样子填写。"),
    "Not a valid datetime.": N_("时间不对。"),
    "Not a valid list.": N_("填写的内容不对。"),
    "Not a valid mapping type.": N_("填写的内容不对。"),
    "Unknown field.": N_("多了一项不认识的内容。"),
    "Invalid input type.": N_("填写的内容不对。"),
}


def field_error(messages: object) -> str:
    """The first message of a marshmallow error (str, list or nested dict), in the page's language."""
    from flask_babel import gettext

    while isinstance(messages, list | dict):
        if not messages:
            return gettext("填写的内容不对。")
        messages = messages[0] if isinstance(messages, list) else next(iter(messages.values()))
    text = str(messages)
    return gettext(BUILT_IN_MESSAGES.get(text, text))


_MEANINGFUL = re.compile(r"[\u4e00-\u9fffA-Za-z]")


class MatchQuery(Schema):
    """What a worker asks: own words, home, reach, and optional wishes."""

    class Meta:
        unknown = EXCLUDE  # e.g. ?lang=en rides along with a search

    q = String(required=True, metadata={"description": "说说你会做什么 — the worker's own words"},
               validate=Length(min=1, max=MAX_TEXT, error=N_("请用1到500个字说说你会做什么。")),
               error_messages={"required": N_("请说说你会做什么（例如：会电焊，在工地干过）。")})
    place = String(load_default="", validate=Length(max=100, error=N_("地点太长了。")),
                   metadata={"description": "home place, e.g. 榕江县 or 贵州省黔东南州榕江县古州镇"})
    km = Integer(load_default=20, validate=Range(min=1, max=500, error=N_("能走多远要在1到500公里之间。")),
                 metadata={"description": "how far the worker can travel, km"})
    lat = Float(load_default=None, allow_none=True,
                validate=Range(min=3, max=54, error=N_("纬度不在中国范围内。")))
    lon = Float(load_default=None, allow_none=True,
                validate=Range(min=73, max=136, error=N_("经度不在中国范围内。")))
    relocate = Boolean(load_default=False, metadata={"description": "willing to move if housing is provided"})
    wage = Integer(load_default=None, allow_none=True,
                   validate=Range(min=0, max=200_000, error=N_("期望月薪要在0到200000元之间。")))
    limit = Integer(load_default=20, validate=Range(min=1, max=50, error=N_("limit 要在1到50之间。")))

    @validates("q")
    def _meaningful(self, value: str, **_: Any) -> None:
        if not _MEANINGFUL.search(value):
            raise ValidationError(N_("请用文字说说你会做什么（例如：会电焊、开挖掘机、进厂）。"))

    @validates_schema
    def _where(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError(N_("经纬度要一起给。"), field_name="lat")
        if not (data.get("place") or "").strip() and data.get("lat") is None:
            raise ValidationError(N_("请填写家在哪里（例如：榕江县）。"), field_name="place")


class MatchOut(Schema):
    """One ranked job with the reason it was suggested."""

    id = Integer()
    title = String()
    employer = String(allow_none=True)
    place = String(allow_none=True)
    distance_km = Float(allow_none=True)
    wage_min = Integer(allow_none=True)
    wage_max = Integer(allow_none=True)
    wage = String(metadata={"description": "pay in plain words"})
    housing = Boolean()
    meals = Boolean()
    score = Float()
    reason = String(metadata={"description": "one plain-words line: distance, pay, housing, matched words"})
    matched_terms = List(String())


class MatchesOut(Schema):
    """The ranked matches and where the search was centred."""

    matches = List(Nested(MatchOut))
    home = String(allow_none=True)


# --- Applications and reports (issue #5) ---------------------------------------------------------



MAX_REPORT_DETAIL = 1000


class ReportIn(Schema):
    """A report of a suspicious posting: a reason from REPORT_REASONS and optional details.

    An unknown JSON field is a 422, as the document says (``additionalProperties: false``); the
    site's form loads it with ``unknown=EXCLUDE`` (its csrf_token rides along)."""

    reason = String(required=True,
                    validate=OneOf(REPORT_REASONS, error=N_("请选择举报原因。")),
                    error_messages={"required": N_("请选择举报原因。")},
                    metadata={"description": "fees | brushing | off_platform | misleading | other"})
    detail = String(load_default="",
                    validate=Length(max=MAX_REPORT_DETAIL, error=N_("补充说明最多1000个字。")),
                    metadata={"description": "optional details, at most 1000 characters"})


class ReportOut(Schema):
    """A stored report; ``created`` is false when the same person had already reported the same thing."""

    id = Integer()
    posting_id = Integer()
    reason = String()
    status = String()
    created = Boolean()
    message = String()


class ApplicationOut(Schema):
    """One of the seeker's applications with the posting it is for."""

    id = Integer()
    posting_id = Integer()
    posting_title = String()
    posting_status = String(metadata={"description": "open | expired | closed"})
    status = String(metadata={"description": "submitted | viewed | interview | hired | rejected | withdrawn"})
    status_text = String(metadata={"description": "the status in plain words"})
    created_at = DateTime()
    updated_at = DateTime()


class ApplicationsOut(Schema):
    """The seeker's applications, newest first."""

    applications = List(Nested(ApplicationOut))


class TokenIn(Schema):
    """Phone and password, for an API token."""

    phone = String(required=True, validate=Length(max=30))
    password = String(required=True, validate=Length(min=1, max=128), metadata={"format": "password"})


class TokenOut(Schema):
    """A bearer token: send it as ``Authorization: Bearer <token>``; shown once."""

    token = String()
    token_type = String()


class ConsentIn(Schema):
    """Agreement to the consent text (see /consent for the words)."""

    agree = Boolean(required=True)


class ConsentOut(Schema):
    """When and to which version the person agreed."""

    consent_at = String(allow_none=True)
    consent_version = String(allow_none=True)


class DeleteIn(Schema):
    """The password, so a deletion is never an accident."""

    password = String(required=True, validate=Length(min=1, max=128), metadata={"format": "password"})


# --- Seekers: profile, match filters, marks, the listing near a place (web/views/seeker.py, api_seeker.py)

# How far a worker can travel: the one list the home form, the profile, the matches and listing filters and
# the bureau's registration form offer (a stored value off the list shows as the next one up).
COMMUTE_KM = (5, 10, 20, 30, 50, 100)


def nearest_commute_km(km: float | None) -> int:
    """The smallest choice of COMMUTE_KM that reaches ``km`` (the largest for anything further)."""
    if km is None:
        return 20
    return next((k for k in COMMUTE_KM if km <= k), COMMUTE_KM[-1])

EMPLOYMENT_TYPES = ("full_time", "part_time", "day_labour", "seasonal")
MARK_KINDS = ("saved", "dismissed")


class ProfileIn(Schema):
    """A seeker's profile: the search's fields plus availability, work wanted, certificates, languages.

    Unknown JSON fields are a 422 (``additionalProperties: false``); the site's form loads it with
    ``unknown=EXCLUDE``."""

    description = String(required=True, metadata={"description": "说说你会做什么 — the worker's own words"},
                         validate=Length(min=1, max=MAX_TEXT, error=N_("请用1到500个字说说你会做什么。")),
                         error_messages={"required": N_("请说说你会做什么（例如：会电焊，在工地干过）。")})
    place = String(load_default="", validate=Length(max=100, error=N_("地点太长了。")),
                   metadata={"description": "home place, e.g. 榕江县"})
    lat = Float(load_default=None, allow_none=True,
                validate=Range(min=3, max=54, error=N_("纬度不在中国范围内。")))
    lon = Float(load_default=None, allow_none=True,
                validate=Range(min=73, max=136, error=N_("经度不在中国范围内。")))
    km = Integer(load_default=20,
                 validate=OneOf(COMMUTE_KM, error=N_("能走多远请选5、10、20、30、50或100公里。")),
                 metadata={"description": "how far the worker can travel every day, km: one of "
                                          + ", ".join(map(str, COMMUTE_KM))})
    relocate = Boolean(load_default=False, metadata={"description": "willing to move if housing is provided"})
    wage = Integer(load_default=None, allow_none=True,
                   validate=Range(min=0, max=200_000, error=N_("期望月薪要在0到200000元之间。")))
    availability = String(load_default="",
                          validate=Length(max=200, error=N_("什么时候能干活，最多200个字。")),
                          metadata={"description": "free text, e.g. 农忙时要回家"})
    unavailable_months = List(Integer(validate=Range(min=1, max=12, error=N_("月份要在1到12之间。"))),
                              load_default=list, validate=Length(max=12, error=N_("月份要在1到12之间。")),
                              metadata={"description": "months (1–12) the worker cannot work (busy farming)"})
    employment_types = List(String(validate=OneOf(EMPLOYMENT_TYPES, error=N_("不认识这种用工方式。"))),
                            load_default=list,
                            metadata={"description": "full_time, part_time, day_labour, seasonal"})
    certificates = List(String(validate=Length(min=1, max=30, error=N_("每个证书最多30个字。"))),
                        load_default=list, validate=Length(max=20, error=N_("证书最多填20个。")),
                        metadata={"description": "codes (driving_a2, electrician, …) or free text"})
    languages = List(String(validate=Length(min=1, max=30, error=N_("每种语言最多30个字。"))),
                     load_default=list, validate=Length(max=10, error=N_("语言最多填10种。")),
                     metadata={"description": "codes (putonghua, dialect, english, minority) or free text"})

    @validates("description")
    def _meaningful(self, value: str, **_: Any) -> None:
        if not _MEANINGFUL.search(value):
            raise ValidationError(N_("请用文字说说你会做什么（例如：会电焊、开挖掘机、进厂）。"))

    @validates_schema
    def _where(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError(N_("经纬度要一起给。"), field_name="lat")
        if not (data.get("place") or "").strip() and data.get("lat") is None:
            raise ValidationError(N_("请填写家在哪里（例如：榕江县）。"), field_name="place")


class ProfileOut(Schema):
    """A seeker's stored profile."""

    description = String()
    place = String(metadata={"description": "the home place as typed"})
    home = String(allow_none=True, metadata={"description": "the resolved place's full name"})
    lat = Float(allow_none=True)
    lon = Float(allow_none=True)
    km = Integer()
    relocate = Boolean()
    wage = Integer(allow_none=True)
    availability = String()
    unavailable_months = List(Integer())
    employment_types = List(String())
    certificates = List(String())
    languages = List(String())


class MatchFilters(Schema):
    """Filters applied to a seeker's ranked matches (the ranking itself never changes)."""

    class Meta:
        unknown = EXCLUDE  # ?view=map, ?lang=en ride along

    km = Integer(load_default=None, allow_none=True,
                 validate=Range(min=1, max=500, error=N_("距离要在1到500公里之间。")),
                 metadata={"description": "only jobs at most this far from home, km"})
    min_wage = Integer(load_default=None, allow_none=True,
                       validate=Range(min=0, max=200_000, error=N_("最低月薪要在0到200000元之间。")),
                       metadata={"description": "only jobs whose pay can reach this, CNY a month"})
    type = String(load_default=None, allow_none=True,
                  validate=OneOf(EMPLOYMENT_TYPES, error=N_("不认识这种用工方式。")),
                  metadata={"description": "full_time, part_time, day_labour or seasonal"})
    housing = Boolean(load_default=False, metadata={"description": "only jobs with housing"})


class SeekerMatchOut(MatchOut):
    """One of a seeker's matches: the search's shape plus what is new, trusted and marked."""

    new = Boolean(metadata={"description": "first seen since the last visit"})
    trust_label = String(allow_none=True, metadata={"description": "e.g. 人社局发布 · 另见2个渠道"})
    source = String(allow_none=True)
    other_sources = Integer(metadata={"description": "how many other channels list the same job"})
    mark = String(allow_none=True, metadata={"description": "saved, dismissed or null"})


class SeekerMatchesOut(Schema):
    """A seeker's ranked matches."""

    matches = List(Nested(SeekerMatchOut))
    home = String(allow_none=True)
    new_count = Integer()


class MarkIn(Schema):
    """Save a posting, or say it is not interesting."""

    kind = String(required=True, validate=OneOf(MARK_KINDS, error=N_("只能是 saved 或 dismissed。")),
                  metadata={"description": "saved or dismissed"})


class MarkOut(Schema):
    """A posting's mark."""

    posting_id = Integer()
    kind = String()


class JobOut(Schema):
    """A posting in a plain (not personalised) listing."""

    id = Integer()
    title = String()
    employer = String(allow_none=True)
    place = String(allow_none=True)
    lat = Float(allow_none=True)
    lon = Float(allow_none=True)
    wage_min = Integer(allow_none=True)
    wage_max = Integer(allow_none=True)
    wage = String()
    housing = Boolean()
    meals = Boolean()
    employment_type = String(allow_none=True)
    posted_at = String(allow_none=True, metadata={"description": "ISO date"})
    first_seen = String(metadata={"description": "ISO timestamp"})
    trust_label = String(allow_none=True)


class SavedOut(Schema):
    """The postings a seeker saved."""

    saved = List(Nested(JobOut))


class NearQuery(Schema):
    """The listing near a place: newest first, 20 a page."""

    class Meta:
        unknown = EXCLUDE

    place = String(load_default="", validate=Length(max=100, error=N_("地点太长了。")),
                   metadata={"description": "a place; empty lists every open job"})
    km = Integer(load_default=None, allow_none=True,
                 validate=Range(min=1, max=500, error=N_("距离要在1到500公里之间。")),
                 metadata={"description": "radius around the place; empty: the place itself (its county)"})
    page = Integer(load_default=1, validate=Range(min=1, max=10_000, error=N_("页码不对。")))


class NearOut(Schema):
    """One page of the listing."""

    jobs = List(Nested(JobOut))
    place = String(allow_none=True)
    page = Integer()
    pages = Integer()
    total = Integer()


class ApplicationResult(ApplicationOut):
    """One application, as applying and withdrawing answer it. A class of its own: apispec registers
    ApplicationOut through ApplicationsOut first, and the same class as an output would be added twice."""


# --- Bureau follow-up: placements, check-ins, county report (web/views/api_followup.py) ---


class PlacementIn(Schema):
    """A placement: from one of the worker's applications, or employer and title by hand."""

    worker_id = DbId(N_("求职者编号不对。"), required=True)
    application_id = DbId(N_("申请编号不对。"), load_default=None, allow_none=True)
    employer = String(load_default="", validate=Length(max=200, error=N_("用工单位名称太长了。")))
    title = String(load_default="", validate=Length(max=200, error=N_("岗位名称太长了。")))
    started_on = Date(required=True, error_messages={"required": N_("请填写上岗日期。")},
                      metadata={"description": "ISO date, e.g. 2026-11-02"})


class CheckInIn(Schema):
    """One follow-up's answers."""

    still_working = Boolean(required=True, error_messages={"required": N_("请选择是否还在岗。")})
    paid_on_time = Boolean(load_default=None, allow_none=True)
    note = String(load_default="", validate=Length(max=1000, error=N_("备注太长了（最多1000字）。")))


class CheckInOut(Schema):
    """A check-in and its answers."""

    id = Integer()
    placement_id = Integer()
    month_offset = Integer()
    due_on = Date()
    done_at = DateTime(allow_none=True)
    still_working = Boolean(allow_none=True)
    paid_on_time = Boolean(allow_none=True)
    note = String()


class PlacementOut(Schema):
    """A placement with its check-ins."""

    id = Integer()
    worker_id = Integer()
    posting_id = Integer(allow_none=True)
    application_id = Integer(allow_none=True)
    employer = String()
    title = String()
    county_code = String()
    occupation_code = String(allow_none=True)
    started_on = Date()
    ended_on = Date(allow_none=True)
    source = String()
    checkins = List(Nested(CheckInOut))


class PlacementsOut(Schema):
    """A page of placements in scope."""

    placements = List(Nested(PlacementOut))
    page = Integer()


class PlacementsQuery(Schema):
    """Paging of the placement list."""

    class Meta:
        unknown = EXCLUDE

    page = Integer(load_default=1, validate=Range(min=1, max=10_000, error=N_("页码不对。")))


class CountyReportQuery(Schema):
    """Which month (and, for admins, which county)."""

    class Meta:
        unknown = EXCLUDE

    month = String(load_default="", validate=Length(max=7, error=N_("月份要写成 2026-11 这样。")),
                   metadata={"description": "YYYY-MM; empty: this month"})
    county = String(load_default="", validate=Length(max=12, error=N_("县代码是12位数字。")),
                    metadata={"description": "12-digit county code (admins); bureau staff get their own"})


class CountyReportOut(Schema):
    """The month's figures, each with the ids of the records behind it."""

    county = Dict()
    month = String()
    start = String()
    end = String()
    figures = Dict(metadata={"description": "key → label, value, numerator, denominator, pending, ids, rows"})
    village_drops = List(Dict())


# --- Collaboration office API (issue #6): supply, funnel, pushes.


class CollabQuery(Schema):
    """Which pair (admins, or offices with several pairs) and whether only key assistance counties."""

    class Meta:
        unknown = EXCLUDE

    pair = DbId(N_("结对编号不对。"), load_default=None, allow_none=True,
                metadata={"description": "region pair id; default: the office's own pair (admins: all)"})
    key_only = Boolean(load_default=False,
                       metadata={"description": "only workers in key assistance counties"})


class CollabPushesQuery(CollabQuery):
    """One page of the pushes list."""

    page = Integer(load_default=1, validate=Range(min=1, max=10_000, error=N_("页码不对。")))


class CollabSupplyOut(Schema):
    """Western workers vs eastern open postings: by major/minor occupation group, pay band, county."""

    groups = List(Dict())
    minor = List(Dict())
    pay = List(Dict())
    counties = List(Dict())
    totals = Dict()


class CollabFunnelOut(Schema):
    """matched → applied → placed → retained at 3 months: totals, by month, county, group."""

    totals = Dict()
    months = List(Dict())
    counties = List(Dict())
    groups = List(Dict())


class CollabPushIn(Schema):
    """Push these eastern postings to these western workers."""

    posting_ids = List(DbId(N_("岗位编号不对。"), strict=True), required=True,
                       validate=Length(min=1, max=20, error=N_("请选1到20个岗位。")))
    worker_ids = List(DbId(N_("求职者编号不对。"), strict=True), required=True,
                      validate=Length(min=1, max=500, error=N_("请选1到500个人。")))
    pair = DbId(N_("结对编号不对。"), load_default=None, allow_none=True)
    confirm = Boolean(load_default=False, metadata={
        "description": "push even to workers who will not relocate and whose radius the job lies beyond "
                       "(without it such a push answers 409 with the pairs in detail.beyond_reach)"})


class CollabPushResultOut(Schema):
    """What the push did (a rerun creates none and sends nothing)."""

    created = Integer()
    existing = Integer()
    sent = Integer()
    failed = Integer()
    no_phone = Integer()


class CollabPushOut(Schema):
    """One push and its response ("applied" once the worker applied to the posting)."""

    id = Integer()
    worker_id = Integer()
    worker = String()
    county_code = String()
    key = Boolean()
    posting_id = Integer()
    title = String()
    employer = String()
    place = String()
    beyond_reach = Boolean(metadata={"description": "the worker will not relocate and the job is beyond "
                                                    "their radius"})
    pushed_at = DateTime()
    response = String()


class CollabPushesOut(Schema):
    """One page of pushes, newest first."""

    pushes = List(Nested(CollabPushOut))
    page = Integer()
    pages = Integer()
    total = Integer()



# --- Bureau workspace (web/views/api_bureau.py)



BUREAU_TYPES = ("", "full_time", "part_time", "day_labour", "seasonal")


class BureauVacancyIn(Schema):
    """A vacancy as a bureau posts or replaces it (the same rules as the form)."""

    title = String(required=True, validate=Length(min=1, max=120, error=N_("岗位名称要在1到120字之间。")),
                   error_messages={"required": N_("请填写岗位名称。")})
    employer = String(load_default="", validate=Length(max=200))
    place = String(required=True, validate=Length(min=1, max=100, error=N_("请填写工作地点。")),
                   error_messages={"required": N_("请填写工作地点。")},
                   metadata={"description": "in the bureau's county, e.g. 榕江县古州镇"})
    wage_min = Integer(load_default=None, allow_none=True,
                       validate=Range(min=100, max=200_000, error=N_("月薪要在100到200000元之间。")))
    wage_max = Integer(load_default=None, allow_none=True,
                       validate=Range(min=100, max=200_000, error=N_("月薪要在100到200000元之间。")))
    housing = Boolean(load_default=False)
    meals = Boolean(load_default=False)
    employment_type = String(load_default="", allow_none=True, validate=OneOf(BUREAU_TYPES))
    headcount = Integer(load_default=None, allow_none=True,
                        validate=Range(min=1, max=10_000, error=N_("招聘人数要在1到10000之间。")))
    deadline = _Date(load_default=None, allow_none=True)
    requirements = String(load_default="", validate=Length(max=5000))

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        low, high = data.get("wage_min"), data.get("wage_max")
        if low is not None and high is not None and high < low:
            raise ValidationError(N_("最高月薪不能低于最低月薪。"), field_name="wage_max")
        if data.get("deadline") is not None and data["deadline"] < china_today():
            raise ValidationError(N_("截止日期已经过了。"), field_name="deadline")


class BureauVacancyOut(Schema):
    """A county vacancy; ``editable`` when the bureau posted it (others can only be closed)."""

    id = Integer()
    title = String()
    employer = String()
    place = String()
    place_name = String(allow_none=True)
    wage_min = Integer(allow_none=True)
    wage_max = Integer(allow_none=True)
    housing = Boolean()
    meals = Boolean()
    employment_type = String()
    headcount = Integer(allow_none=True)
    deadline = _Date(allow_none=True)
    requirements = String()
    status = String()
    editable = Boolean()
    source = String()
    trust = String()


class BureauVacanciesOut(Schema):
    """The county's vacancies, open first."""

    vacancies = List(Nested(BureauVacancyOut))


class ImportRowOut(Schema):
    """One row of an import: new, updated, unchanged, duplicate (``posting_id``: the posting it is
    the same as), expired (past its deadline: not put up) or rejected (with the reason)."""

    row = Integer(allow_none=True)
    title = String()
    outcome = String()
    reason = String(allow_none=True)
    message = String(allow_none=True)
    posting_id = Integer(allow_none=True)


class ImportJobOut(Schema):
    """An uploaded spreadsheet's import job: progress while it runs, then the per-row report.

    ``status``: queued, running, done, refused (``message`` says why; nothing stored) or failed.
    ``total`` is the number of data rows once the file has been checked; ``read`` the rows done so
    far, of which ``stored`` went in, ``merged`` were the same as a posting already there or a row
    above (duplicates), ``expired`` were past their deadline (not put up) and ``rejected`` did not
    go in. ``rows`` only when done."""

    id = Integer()
    file = String()
    status = String()
    finished = Boolean()
    total = Integer(allow_none=True)
    read = Integer()
    stored = Integer()
    merged = Integer()
    expired = Integer()
    rejected = Integer()
    counts = _Dict(keys=String(), values=Integer())
    message = String(allow_none=True)
    rows = List(Nested(ImportRowOut))


class CandidateOut(Schema):
    """A worker for a vacancy; ``household`` (staff only) is the priority-household kind;
    ``contact`` only when the worker consented or applied."""

    worker_id = Integer()
    name = String()
    description = String()
    score = Float()
    rank_score = Float()
    distance_km = Float(allow_none=True)
    reason = String()
    household = String(allow_none=True)
    applied = Boolean()
    contact = String(allow_none=True)
    contact_authorized = Boolean()


class CandidatesOut(Schema):
    """Candidates for a vacancy, best first (priority households raised)."""

    posting_id = Integer()
    candidates = List(Nested(CandidateOut))
