"""The staff workspaces' one navigation, and where each staff member lands after signing in.

Every workspace page shows the same menu: the links a member's roles may use, read from
``web.policy.POLICY`` (an entry whose action the member's roles cannot do is left out), grouped
by workspace. The landing page is the first workspace the roles open, admins first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user

from web.policy import POLICY, STAFF


@dataclass(frozen=True)
class Link:
    """One menu entry: the endpoint, its words, and the policy action that opens it."""

    endpoint: str
    label: Any
    action: str


# Groups in the order they are shown; the first link of a group is that workspace's home.
GROUPS: tuple[tuple[Any, tuple[Link, ...]], ...] = (
    (
        _l("人社局"),
        (
            Link("bureau.home", _l("工作台"), "bureau.home"),
            Link("bureau.vacancies", lazy_pgettext("menu", "岗位"), "bureau.home"),
            Link("bureau.import_sheet", _l("导入"), "bureau.import"),
            Link("bureau.workers", _l("劳动力"), "bureau.worker.list"),
            Link("bureau.outreach", _l("待联系"), "bureau.worker.list"),
            Link("bureau.no_match", _l("附近无岗位"), "bureau.worker.list"),
            Link("followup.placements", lazy_pgettext("menu", "就业记录"), "bureau.followup"),
            Link("followup.checkins", _l("待回访"), "bureau.followup"),
            Link("followup.report", _l("月度报表"), "bureau.report"),
            Link("followup.slips_page", _l("推荐单"), "bureau.slips"),
        ),
    ),
    (
        _l("东西部协作"),
        (
            Link("collab.home", _l("协作工作台"), "collab.home"),
            Link("collab.supply", _l("供需对比"), "collab.supply"),
            Link("collab.funnel", _l("转化漏斗"), "collab.funnel"),
            Link("collab.push", _l("定向推送"), "collab.push"),
            Link("collab.pushes", _l("推送和回复"), "collab.push"),
        ),
    ),
    (
        _l("管理"),
        (
            Link("admin.index", _l("管理首页"), "admin.home"),
            Link("admin.users", _l("用户和角色"), "admin.users"),
            Link("admin.sources", _l("岗位来源"), "admin.sources"),
            Link("admin.pairs", _l("东西部协作结对"), "admin.pairs"),
            Link("admin.key_counties", lazy_pgettext("menu", "重点帮扶县"), "admin.key_counties"),
            Link("moderation.queue", _l("举报处理"), "admin.moderation"),
        ),
    ),
)
LANDING = (("admin", "admin.index"), ("bureau", "bureau.home"), ("collab", "collab.home"))


def roles_of(user: Any) -> set[str]:
    """The role names of a signed-in user (empty when signed out)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return {r.role for r in user.roles}


def is_staff(user: Any) -> bool:
    """Whether the user has a staff role (bureau, collab, admin)."""
    return bool(roles_of(user) & STAFF)


def landing_endpoint(user: Any) -> str | None:
    """Where a staff member starts: admin home, bureau home, collab home; None for seekers."""
    roles = roles_of(user)
    return next((endpoint for role, endpoint in LANDING if role in roles), None)


def menu_for(roles: set[str], endpoints: set[str] | Any) -> list[tuple[Any, list[Link]]]:
    """The groups and links ``roles`` may use, among the app's ``endpoints``."""
    groups = []
    for title, links in GROUPS:
        allowed = [link for link in links if link.endpoint in endpoints and POLICY[link.action].roles & roles]
        if allowed:
            groups.append((title, allowed))
    return groups


def register(app: Flask) -> None:
    """Give templates the staff menu and the landing page of the signed-in member."""

    @app.context_processor
    def workspace() -> dict[str, Any]:
        def workspace_menu() -> list[tuple[Any, list[Link]]]:
            return menu_for(roles_of(current_user), app.view_functions)

        def workspace_url(link: Link, **args: Any) -> str:
            keep = {k: v for k, v in args.items() if link.endpoint.split(".")[0] == "collab"}
            return url_for(link.endpoint, **keep)

        def staff_home() -> str | None:
            endpoint = landing_endpoint(current_user)
            return url_for(endpoint) if endpoint and endpoint in app.view_functions else None

        return {
            "workspace_menu": workspace_menu,
            "workspace_url": workspace_url,
            "staff_home": staff_home,
            "is_staff": lambda: is_staff(current_user),
        }
