"""The search form and the ranked results page."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, send_from_directory
from flask_babel import lazy_gettext
from flask_login import current_user
from marshmallow import ValidationError

from web.extensions import db
from web.i18n import select_locale
from web.schemas import COMMUTE_KM, MatchQuery, field_error
from web.services.search import SearchError, match_worker
from web.services.workers import demo_searches

bp = Blueprint("search", __name__)

RADII = COMMUTE_KM
EXAMPLES = (lazy_gettext("电焊"), lazy_gettext("开挖掘机"), lazy_gettext("进厂"), lazy_gettext("带孩子"),
            lazy_gettext("种大棚"), lazy_gettext("保洁"), lazy_gettext("厨师"), lazy_gettext("开叉车"))


@bp.get("/")
def index() -> str:
    """The search form: what you can do, where home is, how far you can travel."""
    return render_template("index.html", form={"km": 20}, errors={}, radii=RADII, examples=EXAMPLES,
                           demo=demo_searches(db.session), new_matches=_new_matches())


def _new_matches() -> int | None:
    """For a signed-in seeker with a profile: how many matches are new since the last visit."""
    if not current_user.is_authenticated or current_user.consent_at is None:
        return None
    from web.auth import current_worker
    from web.services.seekers import new_matches_count

    worker = current_worker()
    if worker is None:
        return None
    return new_matches_count(db.session, current_app.extensions["jiujin"], worker, current_user)


@bp.get("/search")
def results() -> tuple[str, int]:
    """Ranked jobs for the form's input, or the form again with clear messages."""
    form = _with_example(request.args.to_dict())
    try:
        params = MatchQuery().load(_clean(form))
        result = match_worker(db.session, current_app.extensions["jiujin"],
                              {**params, "lang": select_locale()})
    except ValidationError as exc:
        return _form_again(form, {k: field_error(v) for k, v in exc.normalized_messages().items()})
    except SearchError as exc:
        return _form_again(form, {exc.field: exc.message})
    return render_template("results.html", form=form, params=params, result=result, radii=RADII), 200


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon where browsers look for it unasked (pages link the SVG; this is the same drawing)."""
    return send_from_directory(current_app.static_folder or "static", "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)


@bp.get("/places/suggest")
def suggest_places() -> dict[str, list[str]]:
    """Type-ahead for the home field: up to 8 full place names for what was typed so far."""
    text = request.args.get("q", "")[:20]
    runtime = current_app.extensions["jiujin"]
    return {"places": [p.full_name for p in runtime.gazetteer.suggest(text)]}


def _with_example(form: dict[str, str]) -> dict[str, str]:
    """A tapped ready-made search ("example", a chip of the form) is what the worker now looks for: it
    replaces the words typed about the work; the place, distance and the rest typed so far stay."""
    example = form.pop("example", "").strip()
    if example:
        form["q"] = example
    return form


def _clean(form: dict[str, str]) -> dict[str, str]:
    """Empty optional fields count as not given; a checkbox sends "on"."""
    data = {k: v for k, v in form.items() if v.strip() != "" or k in ("q",)}
    if "relocate" in data:
        data["relocate"] = "true" if data["relocate"] in ("on", "1", "true") else "false"
    return data


def _form_again(form: dict[str, str], errors: dict[str, str]) -> tuple[str, int]:
    page = render_template("index.html", form=form, errors=errors, radii=RADII, examples=EXAMPLES)
    return page, 400
