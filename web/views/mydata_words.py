"""The person's own data (web.services.mydata's export) in plain words for the /me/data page.

The download stays the export itself (complete, machine-readable JSON); this page says the same
things in the page's language: labels instead of field names, lists joined, months named, times in
local format, codes as words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_datetime, gettext
from flask_babel import lazy_gettext as _l

from matching.explain import format_wage
from web.i18n import join_words, month_name, select_locale
from web.views.applications import STATUS_WORDS
from web.views.jobs import REASON_WORDS
from web.views.seeker import CERTIFICATES, LANGUAGES, TYPES

Row = tuple[str, str]  # (label, value in words)

ROLES = {"seeker": _l("求职者"), "bureau": _l("县就业局"), "collab": _l("协作办"), "admin": _l("管理员")}
MARKS = {"saved": _l("已收藏"), "dismissed": _l("不感兴趣")}
HOUSEHOLDS = {"tuopin": _l("脱贫户"), "jiance": _l("监测户"), "yidi": _l("易地搬迁户")}
REPORT_STATUSES = {
    "open": _l("待处理"),
    "dismissed": _l("已处理：没有发现问题"),
    "resolved": _l("已处理：岗位已下架"),
}
NOTIFICATIONS = {"daily_digest": _l("每日新岗位提醒"), "job_push": _l("协作办推送的岗位")}
CHANNELS = {"log": _l("站内记录"), "sms": _l("短信"), "wechat": _l("微信")}
SENT = {"sent": _l("已发出"), "failed": _l("发送失败")}
PURPOSES = {"signup": _l("注册"), "reset": _l("重设密码")}
EMPTY = "—"


def when(value: str | None) -> str:
    """An ISO date or timestamp from the export in the page's local format ("—" when empty)."""
    if not value:
        return EMPTY
    if len(value) == 10:
        return format_date(date.fromisoformat(value), "long")
    return format_datetime(datetime.fromisoformat(value), "medium")


def _label(words: dict[str, Any], code: str | None) -> str:
    return str(words.get(code or "", code or EMPTY))


def _labels(words: dict[str, Any], codes: list[str] | None) -> str:
    return join_words(_label(words, c) for c in codes or []) or EMPTY


def _yes(value: bool | None) -> str:
    return gettext("是") if value else gettext("否")


def account_rows(account: dict[str, Any]) -> list[Row]:
    """The account in words."""
    return [
        (gettext("手机号"), account["phone"]),
        (gettext("名字"), account.get("display_name") or EMPTY),
        (gettext("角色"), _labels(ROLES, account.get("roles"))),
        (gettext("注册时间"), when(account.get("created_at"))),
        (gettext("手机号验证时间"), when(account.get("phone_verified_at"))),
        (
            gettext("同意时间"),
            when(account.get("consent_at")) if account.get("consent_at") else gettext("未同意"),
        ),
        (gettext("上次看匹配的时间"), when(account.get("last_seen_matches_at"))),
    ]


PROFILE: list[tuple[str, Any, Callable[[Any], str]]] = [
    ("name", _l("名字"), lambda v: v or EMPTY),
    ("description", _l("你会做什么"), lambda v: v or EMPTY),
    ("home_text", _l("家在哪里（你写的）"), lambda v: v or EMPTY),
    ("home_place", _l("家在哪里（认出的地点）"), lambda v: v or EMPTY),
    ("lat", _l("家的位置（纬度）"), lambda v: EMPTY if v is None else f"{v:.4f}"),
    ("lon", _l("家的位置（经度）"), lambda v: EMPTY if v is None else f"{v:.4f}"),
    ("max_commute_km", _l("能走多远"), lambda v: gettext("%(km)s 公里以内", km=v) if v else EMPTY),
    ("will_relocate", _l("愿意外出，包住就行"), _yes),
    ("wage_expectation", _l("期望月薪"), lambda v: format_wage(v, v, select_locale()) if v else EMPTY),
    ("availability", _l("什么时候能干"), lambda v: v or EMPTY),
    ("unavailable_months", _l("不方便的月份"), lambda v: join_words(month_name(m) for m in v or []) or EMPTY),
    ("employment_types", _l("想做的用工方式"), lambda v: _labels(TYPES, v)),
    ("certificates", _l("证书"), lambda v: _labels(CERTIFICATES, v)),
    ("languages", _l("会说的话"), lambda v: _labels(LANGUAGES, v)),
    ("created_at", _l("填写时间"), when),
    ("updated_at", _l("上次修改"), when),
]


def profile_rows(profile: dict[str, Any] | None) -> list[Row]:
    """The worker profile in words (every field of the export, none by its internal name)."""
    if not profile:
        return []
    return [(str(label), words(profile.get(key))) for key, label, words in PROFILE]


def readable(data: dict[str, Any]) -> dict[str, Any]:
    """Everything on the page, each section as words."""
    return {
        "account": account_rows(data["account"]),
        "profile": profile_rows(data["profile"]),
        "applications": [
            (a["title"], _label(STATUS_WORDS, a["status"]), when(a["created_at"]))
            for a in data["applications"]
        ],
        "marks": [(_label(MARKS, m["kind"]), m["posting_id"], m.get("title") or "", when(m["created_at"]))
                  for m in data["marks"]],
        "households": [
            (_label(HOUSEHOLDS, h["kind"]), when(h["created_at"])) for h in data["household_marks"]
        ],
        "reports": [
            (_label(REASON_WORDS, r["reason"]), _label(REPORT_STATUSES, r["status"]), when(r["created_at"]))
            for r in data["reports"]
        ],
        "notifications": [
            (
                _label(NOTIFICATIONS, n["kind"]),
                _label(CHANNELS, n["channel"]),
                _label(SENT, n["status"]),
                when(n["created_at"]),
            )
            for n in data["notifications"]
        ],
        "tokens": [(when(t["created_at"]), when(t["last_used_at"])) for t in data["api_tokens"]],
        "codes": [
            (
                _label(PURPOSES, c["purpose"]),
                when(c["created_at"]),
                gettext("已使用") if c["used_at"] else gettext("未使用"),
            )
            for c in data["one_time_codes"]
        ],
    }
