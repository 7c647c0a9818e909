"""Admins: add, edit and try a source, and see what its runs did (``/admin/sources/…``).

The list with its switches is ``admin.sources`` (web/views/admin.py). "Try it" fetches through
the normal path and shows what would be stored, storing nothing; saving goes through the same
checks as a sources file. The scheduler picks up every change within a minute.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from jobs_ingest import dryrun
from jobs_ingest.sources import kinds
from jobs_ingest.sources.config import Problem
from matching.explain import format_wage
from web.extensions import db, transaction
from web.forms_admin import ConfirmForm, SourceForm
from web.i18n import select_locale
from web.policy import audit, guard
from web.services import sources
from web.services.search import china_today

bp = Blueprint("admin_sources", __name__, url_prefix="/admin/sources")

FORM_FIELDS = ("name", "kind", "url", "schedule", "trust", "public_name", "html", "mapping", "options")
PROBLEM_WORDS = {
    "missing": _l("请填写这一项。"),
    "unknown_key": _l("不认识的设置项“%(key)s”。"),
    "unknown_kind": _l("不认识的来源类型“%(kind)s”。"),
    "not_text": _l("“%(key)s”应当是文字。"),
    "not_a_table": _l("写法不对：每行写一个“名称 = 值”。"),
    "bad_line": _l("第%(line)s行不是“名称 = 值”的写法。"),
    "bad_trust": _l("请选择可信度。"),
    "bad_schedule": _l("写法不对：例如 interval:6h（每6小时）或 cron:0 3 * * *（每天3点）。"),
    "too_long": _l("太长了（最多%(limit)s个字）。"),
    "duplicate_name": _l("这个名称已经有了，请换一个。"),
    "bad_url": _l("请填写以 http:// 或 https:// 开头的网址。"),
    "not_here": _l("“%(key)s”不能在这里设置。"),
}
HINT = _l("是不是想写“%(hint)s”？")
OTHER = _l("这一项的写法不对。")
REASON_WORDS = {
    "missing_title": _l("缺少岗位名称"), "too_long": _l("岗位名称太长（最多120字）"),
    "malformed": _l("缺少编号或网址"), "not_a_jobposting": _l("这一页不是招聘信息"),
    "blocked_by_robots": _l("网站的 robots.txt 不允许抓取"), "too_large": _l("网页太大"),
    "encoding": _l("文字编码无法识别"), "unparseable": _l("读不懂的内容"),
}


def _form(formdata: Any = None, **data: Any) -> SourceForm:
    form = SourceForm(formdata=formdata, data=data or None)
    choices = kinds()
    if form.kind.data and form.kind.data not in choices:
        choices = [*choices, form.kind.data]
    form.kind.choices = [(k, k) for k in choices]
    return form


def _given(form: SourceForm, name: str | None = None) -> sources.SourceInput:
    """The form's text; ``name`` is the edited source's (its form has no name field)."""
    values = {f: (getattr(form, f).data or "") for f in FORM_FIELDS if f != "name"}
    return sources.SourceInput(name=name if name is not None else (form.name.data or ""), **values)


def _attach(form: SourceForm, problems: list[Problem]) -> None:
    """Each problem, in words, under the form field it is about (others under "other settings")."""
    for problem in problems:
        target = getattr(form, problem.field, None) if problem.field in FORM_FIELDS else None
        target = target if target is not None else form.options
        words = PROBLEM_WORDS.get(problem.code, OTHER)
        message = str(words) % problem.params if problem.params else str(words)
        if problem.code == "unknown_key" and "hint" in problem.params:
            message += str(HINT) % problem.params
        if problem.code == "bad_schedule" or problem.code not in PROBLEM_WORDS:
            message += f" ({problem.text})"
        target.errors = [*target.errors, message]


def reason_words(reason: str) -> str:
    """A quarantine reason in words; an unknown code as it is."""
    words = REASON_WORDS.get(reason)
    return str(words) if words is not None else reason


@bp.context_processor
def helpers() -> dict[str, Any]:
    """Words for pay and quarantine reasons in the page's language."""
    lang = select_locale()
    return {"wage_words": lambda p: format_wage(p.wage_min, p.wage_max, lang), "reason_words": reason_words,
            "max_items": dryrun.MAX_ITEMS, "max_pages": dryrun.LIMITS["max_pages"]}


def _render(template: str, status: int = 200, **context: Any) -> Any:
    return render_template(template, **context), status


@bp.route("/new", methods=["GET", "POST"])
@guard("admin.sources")
def new() -> Any:
    """Add a source: "try it" shows what it would bring, "save" registers it."""
    form = _form(request.form if request.method == "POST" else None, trust="bureau")
    if request.method == "GET":
        return _render("admin/source_form.html", form=form, source=None)
    return _submit(form, None)


@bp.route("/<int:source_id>/edit", methods=["GET", "POST"])
@guard("admin.sources")
def edit(source_id: int) -> Any:
    """Change a source's settings (its name stays), try them, save them."""
    source = sources.get_source(db.session, source_id)
    if source is None or source.kind not in kinds():
        abort(404)  # a bureau's own source (kind manual) is written by its forms, never fetched
    form = _form(request.form if request.method == "POST" else None, **sources.form_text(source))
    del form.name  # the name is the source's key: it never changes here
    if request.method == "GET":
        return _render("admin/source_form.html", form=form, source=source)
    return _submit(form, source)


def _submit(form: SourceForm, source: Any) -> Any:
    """Check the form; then try it (nothing stored) or save it."""
    if not form.validate_on_submit():
        return _render("admin/source_form.html", 400, form=form, source=source)
    spec, problems = sources.build_spec(_given(form, source.name if source is not None else None))
    if problems:
        _attach(form, problems)
        return _render("admin/source_form.html", 400, form=form, source=source)
    if request.form.get("action") == "try":
        allow = sources.keeps_private_permission(source, spec)
        result = sources.try_spec(spec, current_app.extensions["jiujin"].gazetteer, china_today(), allow)
        return _render("admin/source_form.html", form=form, source=source, result=result)
    try:
        with transaction() as s:
            if source is None:
                saved = sources.create_source(s, spec)
            else:
                saved = sources.update_source(s, source.id, spec)
            audit(s, current_user, "admin.sources", "source", saved.id, "ok",
                  op="create" if source is None else "edit", name=saved.name)
            saved_id, name = saved.id, saved.name
    except LookupError:
        _attach(form, [Problem(1, "name", "duplicate_name", "name taken")])
        return _render("admin/source_form.html", 400, form=form, source=source)
    flash(gettext("已保存 %(name)s。一分钟内按新设置运行。", name=name))
    return redirect(url_for("admin_sources.detail", source_id=saved_id))


@bp.get("/<int:source_id>")
@guard("admin.sources")
def detail(source_id: int) -> Any:
    """One source: its settings, its last runs with their counts and errors, what it quarantined."""
    return _detail(source_id)


@bp.post("/<int:source_id>/try")
@guard("admin.sources")
def try_it(source_id: int) -> Any:
    """Try a saved source as configured: the first postings and every rejection, nothing stored."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    source = sources.get_source(db.session, source_id)
    if source is None:
        abort(404)
    result = sources.try_stored(source, current_app.extensions["jiujin"].gazetteer, china_today())
    return _detail(source_id, result)


def _detail(source_id: int, result: Any = None) -> Any:
    source = sources.get_source(db.session, source_id)
    if source is None:
        abort(404)
    return _render("admin/source.html", source=source, result=result,
                   runs=sources.recent_runs(db.session, source_id),
                   reasons=sources.quarantine_reasons(db.session, source_id),
                   quarantined=sources.recent_quarantine(db.session, source_id),
                   can_try=source.kind in kinds(), can_edit=source.kind in kinds())
