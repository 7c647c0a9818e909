"""Input and output schemas shared by the search form and the JSON API (one set of rules)."""

from __future__ import annotations

import re
from typing import Any

from apiflask import Schema
from apiflask.fields import Boolean, Float, Integer, List, Nested, String
from apiflask.validators import Length, Range
from marshmallow import EXCLUDE, ValidationError, validates, validates_schema

MAX_TEXT = 500


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext_noop marker
    """Mark a message for the catalogue; views translate it when they show it."""
    return message


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
