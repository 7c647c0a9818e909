"""Admins: users and roles, sources, region pairs, key assistance counties."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from web.extensions import db, transaction
from web.forms_admin import ConfirmForm, KeyCountyForm, PairForm, RoleForm, SourcePublicForm, StaffUserForm
from web.inputguard import valid_id
from web.policy import audit, guard
from web.services import admin
from web.services.admin import AdminError

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _gazetteer() -> Any:
    return current_app.extensions["jiujin"].gazetteer


def _error(form: Any, exc: AdminError, default: str) -> None:
    """Attach a service error to the form field it names (or the default field)."""
    field = getattr(form, exc.field, None) or getattr(form, default)
    field.errors = [*field.errors, gettext(exc.message, **exc.params)]


def _role_form(user_id: int, formdata: Any = None) -> RoleForm:
    form = RoleForm(formdata=formdata, prefix=f"u{user_id}")
    form.pair.choices = [("", gettext("（不适用）")), *admin.pair_choices(db.session)]
    return form


# --- home


@bp.get("/")
@guard("admin.home")
def index() -> str:
    """Where an admin starts: every workspace and admin page, grouped."""
    return render_template("admin/index.html")


# --- users and roles


@bp.route("/users", methods=["GET", "POST"])
@guard("admin.users")
def users() -> Any:
    """Staff users with their roles; POST creates a staff account (phone + initial password)."""
    form = StaffUserForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with transaction() as s:
                    user = admin.create_staff_user(s, form.phone.data, form.password.data,
                                                   form.display_name.data or "")
                    phone = user.phone
            except AdminError as exc:
                _error(form, exc, "phone")
            else:
                flash(gettext("已创建账号 %(phone)s。请再给它分配角色。", phone=phone))
                return redirect(url_for("admin.users", phone=phone))
        return _users_page(form, status=400)
    return _users_page(form)


def _users_page(form: StaffUserForm, role_forms: dict[int, RoleForm] | None = None, status: int = 200) -> Any:
    phone = request.args.get("phone", "")[:20]
    rows = admin.list_users(db.session, phone, include=next(iter(role_forms or {}), None))
    forms = {u.id: (role_forms or {}).get(u.id) or _role_form(u.id) for u, _ in rows}
    return render_template("admin/users.html", form=form, rows=rows, role_forms=forms, phone=phone,
                           confirm=ConfirmForm()), status


@bp.post("/users/<int:user_id>/roles")
@guard("admin.users")
def assign_role(user_id: int) -> Any:
    """Give a user a role with its scope."""
    form = _role_form(user_id, request.form)
    if form.validate_on_submit():
        pair = form.pair.data
        try:
            with transaction() as s:
                admin.assign_role(s, _gazetteer(), user_id, form.role.data, form.county.data or "",
                                  valid_id(pair))
        except LookupError:
            flash(gettext("找不到这个用户。"))
            return redirect(url_for("admin.users"))
        except AdminError as exc:
            _error(form, exc, "role")
        else:
            flash(gettext("角色已分配。"))
            return redirect(url_for("admin.users", phone=request.args.get("phone", "")))
    return _users_page(StaffUserForm(formdata=None), {user_id: form}, status=400)


@bp.post("/roles/<int:assignment_id>/remove")
@guard("admin.users")
def remove_role(assignment_id: int) -> Response:
    """Take a role away."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with transaction() as s:
            admin.remove_role(s, assignment_id, current_user.id)
    except LookupError:
        flash(gettext("这个角色已经不存在了。"))
    except AdminError as exc:
        flash(gettext(exc.message, **exc.params))
    else:
        flash(gettext("角色已取消。"))
    return redirect(url_for("admin.users"))


# --- sources


@bp.get("/sources")
@guard("admin.sources")
def sources() -> str:
    """Every source with its kind, trust and schedule, and a switch."""
    return _sources_page()


def _sources_page(errors: dict[int, list[str]] | None = None, status: int = 200) -> Any:
    forms = {s.id: SourcePublicForm(formdata=None, obj=s) for s in admin.list_sources(db.session)}
    return render_template("admin/sources.html", sources=admin.list_sources(db.session), forms=forms,
                           errors=errors or {}, confirm=ConfirmForm()), status


@bp.post("/sources/<int:source_id>/public")
@guard("admin.sources")
def set_source_public(source_id: int) -> Any:
    """Set the name seekers see, the phone and the reply time of a source."""
    form = SourcePublicForm()
    if not form.validate_on_submit():
        return _sources_page({source_id: [e for errs in form.errors.values() for e in errs]}, 400)
    try:
        with transaction() as s:
            name = admin.set_source_public(s, source_id, form.public_name.data or "",
                                           form.contact_phone.data or "", form.reply_days.data).name
    except LookupError:
        abort(404)
    flash(gettext("已保存 %(name)s 对求职者显示的信息。", name=name))
    return redirect(url_for("admin.sources"))


@bp.post("/sources/<int:source_id>/enabled")
@guard("admin.sources")
def set_source_enabled(source_id: int) -> Response:
    """Enable (value=on) or disable (value=off) a source."""
    form = ConfirmForm()
    if not form.validate_on_submit() or form.value.data not in ("on", "off"):
        abort(400)
    try:
        with transaction() as s:
            source = admin.set_source_enabled(s, source_id, form.value.data == "on")
            name, enabled = source.name, source.enabled
            audit(s, current_user, "admin.sources", "source", source.id, "ok",
                  op="enable" if enabled else "disable", name=name)
    except LookupError:
        flash(gettext("找不到这个岗位来源。"))
        return redirect(url_for("admin.sources"))
    flash(gettext("已启用 %(name)s。", name=name) if enabled else gettext("已停用 %(name)s。", name=name))
    return redirect(url_for("admin.sources"))


# --- region pairs


@bp.route("/pairs", methods=["GET", "POST"])
@guard("admin.pairs")
def pairs() -> Any:
    """Region pairs; POST creates one from a name and the places of each side."""
    form = PairForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with transaction() as s:
                    west, east = admin.split_names(form.west.data), admin.split_names(form.east.data)
                    pair = admin.create_pair(s, _gazetteer(), form.name.data, west, east)
                    name = pair.name
            except AdminError as exc:
                _error(form, exc, "name")
            else:
                flash(gettext("已创建结对“%(name)s”。", name=name))
                return redirect(url_for("admin.pairs"))
        return render_template("admin/pairs.html", form=form, pairs=admin.list_pairs(db.session)), 400
    return render_template("admin/pairs.html", form=form, pairs=admin.list_pairs(db.session))


# --- key assistance counties


@bp.route("/key-counties", methods=["GET", "POST"])
@guard("admin.key_counties")
def key_counties() -> Any:
    """The key assistance counties; POST adds one by name."""
    form = KeyCountyForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with transaction() as s:
                    name = admin.add_key_county(s, _gazetteer(), form.place.data).place.full_name
            except AdminError as exc:
                _error(form, exc, "place")
            else:
                flash(gettext("已把%(name)s加入重点帮扶县。", name=name))
                return redirect(url_for("admin.key_counties"))
        return _key_counties_page(form, 400)
    return _key_counties_page(form)


def _key_counties_page(form: KeyCountyForm, status: int = 200) -> Any:
    return render_template("admin/key_counties.html", form=form, counties=admin.list_key_counties(db.session),
                           confirm=ConfirmForm()), status


@bp.post("/key-counties/<int:key_county_id>/remove")
@guard("admin.key_counties")
def remove_key_county(key_county_id: int) -> Response:
    """Take a county off the list."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with transaction() as s:
            admin.remove_key_county(s, key_county_id)
    except LookupError:
        flash(gettext("这个县已经不在名单里了。"))
    else:
        flash(gettext("已移出重点帮扶县名单。"))
    return redirect(url_for("admin.key_counties"))
