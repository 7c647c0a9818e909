"""The worker's answer to a pushed job: the link in the message opens this page, no sign-in needed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from matching.explain import format_wage
from web.extensions import db, transaction
from web.i18n import select_locale
from web.services.collab import Reply
from web.services.push_reach import push_for_reply, read_push, record_worker_answer, sign_push

bp = Blueprint("push_reply", __name__)


def reply_for_pushes() -> Reply:
    """Links for this request's pushes (on the configured public address) and the office's phone."""
    base = current_app.config.get("JIUJIN_PUBLIC_BASE_URL") or request.url_root.rstrip("/")
    secret = current_app.config["SECRET_KEY"]
    return Reply(
        link=lambda push_id: base + url_for("push_reply.reply", token=sign_push(secret, push_id)),
        phone=current_app.config.get("JIUJIN_BUREAU_PHONE", ""),
    )


@bp.route("/r/<token>", methods=["GET", "POST"])
def reply(token: str) -> Any:
    """Show the pushed job; POST records 想去 (interested) or 不想去 (not interested)."""
    push_id = read_push(current_app.config["SECRET_KEY"], token)
    if push_id is None:
        abort(404)
    if request.method == "POST":
        with transaction() as s:
            if not record_worker_answer(s, push_id, request.form.get("response", ""), datetime.now(UTC)):
                abort(400)
        flash(gettext("收到了，谢谢。就业局会按你的回复联系你。"))
        return redirect(url_for("push_reply.reply", token=token))
    push = push_for_reply(db.session, push_id)
    if push is None:
        abort(404)
    wage = format_wage(push["wage_min"], push["wage_max"], lang=select_locale())
    return render_template(
        "collab/reply.html", push=push, wage=wage, phone=current_app.config.get("JIUJIN_BUREAU_PHONE", "")
    )
