"""``flask --app wsgi ...`` commands: thin click wrappers over services, one commit each."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from jobs_ingest.clock import china_today
from web.extensions import db

model_cli = AppGroup("model", help="The embedding model.")
demo_cli = AppGroup("demo", help="Demo data for the embedded default.")
ingest_cli = AppGroup("ingest", help="Collect postings from sources.")
postings_cli = AppGroup("postings", help="Stored postings.")
sources_cli = AppGroup("sources", help="Registered sources.")
users_cli = AppGroup("users", help="Accounts.")
jobs_cli = AppGroup("jobs", help="Background jobs (bureau spreadsheet imports, large downloads).")
index_cli = AppGroup("index", help="The PostgreSQL match index (pgvector).")


def _runtime() -> Any:
    return current_app.extensions["jiujin"]


@model_cli.command("build")
def model_build() -> None:
    """Build the default model folder under JIUJIN_MODEL_PATH if it is missing, and the
    occupation names' USE vectors (so that the first query does not wait for them)."""
    from matching.occupation_vectors import leads_with_use
    from matching.occupations import default_occupation_index

    embedder = _runtime().embedder()
    if leads_with_use(getattr(embedder, "blocks", None)):
        default_occupation_index().name_vectors()
    click.echo(f"model {embedder.model_id} ready at {embedder.path}")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when postings already exist.")
def demo_load(if_empty: bool) -> None:
    """Ingest the demo source through the real pipeline and create demo workers."""
    from web.services import demo

    if if_empty and not current_app.config["JIUJIN_LOAD_DEMO"]:
        click.echo("JIUJIN_LOAD_DEMO is off: demo data not loaded")
        return
    if if_empty and not demo.is_empty(db.session):
        click.echo("postings exist: demo data not loaded")
        return
    run = demo.load_demo(db.session, _runtime())
    db.session.commit()
    from web.services.ingest import run_counts

    click.echo(json.dumps(run_counts(run), ensure_ascii=False))


@ingest_cli.command("run")
@click.option("--sources", "sources_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="TOML file with [[source]] entries.")
@click.option("--only", default=None, help="Run only the source with this name.")
def ingest_run(sources_file: Path, only: str | None) -> None:
    """Register/update the sources in FILE, run each once, print one JSON object per source."""
    from web.services import ingest, lifecycle, places

    specs = _read_sources(sources_file)
    if only:
        specs = [s for s in specs if s["name"] == only]
        if not specs:
            raise click.UsageError(f"no source named {only!r} in {sources_file}")
    runtime = _runtime()
    places.sync_places(db.session, runtime.gazetteer)
    for spec in specs:
        ingest.upsert_source(db.session, spec)
    db.session.commit()
    for spec in specs:  # one transaction per source: a failure loses nothing already stored
        try:
            run = lifecycle.run_named_source(db.session, runtime, spec["name"], china_today())
            counts = ingest.run_counts(run)
            db.session.commit()
        except Exception as exc:  # one failing source never stops the others
            db.session.rollback()
            failed = lifecycle.record_failed_run(db.session, spec["name"], f"{type(exc).__name__}: {exc}")
            counts = ingest.run_counts(failed) if failed else {"source": spec["name"], "errors": [str(exc)]}
            db.session.commit()
        _print_lines([counts])


@ingest_cli.command("quarantine")
def ingest_quarantine() -> None:
    """Print every quarantined record as one JSON object per line, with its reason."""
    from web.services.exports import export_quarantine

    _print_lines(export_quarantine(db.session))


@postings_cli.command("export")
def postings_export() -> None:
    """Print every posting as one JSON object per line, with its sources."""
    from web.services.exports import export_postings

    _print_lines(export_postings(db.session))


@sources_cli.command("list")
def sources_list() -> None:
    """Print every registered source as one JSON object per line."""
    from web.services.ingest import list_sources

    _print_lines(list_sources(db.session))


@sources_cli.command("add")
@click.argument("name")
@click.option("--kind", required=True, help="A registered source kind (demo, jsonld, feed, api, sheet).")
@click.option("--url", default=None)
@click.option("--path", default=None)
@click.option("--trust", type=click.Choice(["bureau", "employer", "aggregator"]), default="aggregator")
@click.option("--schedule", default=None, help="interval:6h or cron:0 3 * * *")
@click.option("--allow-private-network", is_flag=True)
@click.option("--option", "options", multiple=True, help="KEY=JSON_OR_TEXT, repeatable")
@click.option("--public-name", default=None, help="The name seekers see, e.g. 榕江县人社局.")
@click.option("--contact-phone", default=None, help="The publisher's phone, shown after applying.")
@click.option("--reply-days", type=click.IntRange(1, 60), default=None,
              help="Working days within which the publisher calls an applicant back.")
def sources_add(name: str, kind: str, url: str | None, path: str | None, trust: str,
                schedule: str | None, allow_private_network: bool, options: tuple[str, ...],
                public_name: str | None, contact_phone: str | None, reply_days: int | None) -> None:
    """Register or update a source."""
    from jobs_ingest.sources import kinds
    from jobs_ingest.sources.config import check_source, describe
    from web.scheduler import parse_schedule
    from web.services.ingest import upsert_source

    spec = {"name": name, "kind": kind, "url": url, "path": path, "trust": trust, "schedule": schedule,
            "allow_private_network": allow_private_network, "options": _parse_options(options),
            "public_name": public_name, "contact_phone": contact_phone, "reply_days": reply_days}
    spec = {k: v for k, v in spec.items() if v is not None}
    problems = check_source(spec, kinds(), parse_schedule)  # the same checks as a sources file
    if problems:
        raise click.UsageError(f"source {name} not registered:\n{describe(problems)}")
    source = upsert_source(db.session, spec)
    db.session.commit()
    click.echo(f"source {source.name} ({source.kind}) registered")


@sources_cli.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable it again instead.")
def sources_disable(name: str, enable: bool) -> None:
    """Stop (or restart) scheduling a source; its postings stay."""
    from web.services.ingest import set_enabled

    if not set_enabled(db.session, name, enable):
        raise click.UsageError(f"no source named {name!r}")
    db.session.commit()
    click.echo(f"source {name} {'enabled' if enable else 'disabled'}")


@users_cli.command("create-admin")
@click.option("--phone", prompt="Phone (11 digits)", help="The admin's mobile number (the login name).")
@click.option("--name", "display_name", prompt="Name to show", default="", help="A name to show.")
def users_create_admin(phone: str, display_name: str) -> None:
    """Create an account with the admin role; the password is asked for twice, never taken as an option."""
    from flask_babel import force_locale, gettext

    from web.services.admin import AdminError, create_admin

    password = click.prompt("Password (at least 8 characters)", hide_input=True, confirmation_prompt=True)
    try:
        user = create_admin(db.session, phone, password, display_name)
    except AdminError as exc:
        db.session.rollback()
        with force_locale("en"):
            raise click.ClickException(f"{exc.field}: {gettext(exc.message, **exc.params)}") from exc
    db.session.commit()
    click.echo(f"admin {user.phone} created (user id {user.id}): sign in at /login")


def _print_lines(rows: Any) -> None:
    """One JSON object per line (the fixed output format of the listing commands)."""
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False))


def _parse_options(pairs: tuple[str, ...]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--option")
        try:
            options[key] = json.loads(value)
        except json.JSONDecodeError:
            options[key] = value
    return options


def _read_sources(path: Path) -> list[dict[str, Any]]:
    """[[source]] entries from a TOML file; a file with none, or with a key or kind this version
    does not know, is refused with every problem named (jobs_ingest/sources/config.py)."""
    from jobs_ingest.sources import kinds
    from jobs_ingest.sources.config import check_sources, describe
    from web.scheduler import parse_schedule

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"{path}: not valid TOML: {exc}") from exc
    problems = check_sources(data, kinds(), parse_schedule)
    if problems:
        raise click.UsageError(f"{path}: nothing was run:\n{describe(problems)}")
    return list(data["source"])


@jobs_cli.command("run")
def jobs_run() -> None:
    """Run every waiting import and export job now (the scheduler does it every few seconds);
    resumes a job whose runner was killed, drops expired export files. Exits 3 if another runner
    holds the lock."""
    from web.extensions import db
    from web.scheduler import AlreadyRunning, runner_lock
    from web.services.background import run_background_jobs

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        with runner_lock(app):
            ran = run_background_jobs(db.session, _runtime(), app.config["JIUJIN_EXPORT_KEEP"])
    except AlreadyRunning as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(3)
    click.echo(f"import jobs run: {ran.imports}")
    click.echo(f"export jobs run: {ran.exports}, expired files dropped: {ran.expired}")


@index_cli.command("rebuild")
def index_rebuild() -> None:
    """Write the match rows of every open posting again and recount the lexicon (after restoring
    a backup or changing the model; the site keeps them current on its own)."""
    from sqlalchemy import select

    from web.models import Posting
    from web.services import pgindex

    if not pgindex.enabled(db.session):
        raise click.UsageError("this database has no match tables (PostgreSQL with pgvector, migrated)")
    ids = list(db.session.scalars(select(Posting.id).where(Posting.status == "open")))
    written = pgindex.sync(db.session, ids)
    rows = pgindex.refresh_lexicon(db.session)
    db.session.commit()
    click.echo(f"match rows written: {written}; rows counted: {rows}")


@index_cli.command("refresh")
def index_refresh() -> None:
    """Recount the document frequencies and every row's TF-IDF norm (the scheduler does it hourly)."""
    from web.services import pgindex

    if not pgindex.enabled(db.session):
        raise click.UsageError("this database has no match tables (PostgreSQL with pgvector, migrated)")
    rows = pgindex.refresh_lexicon(db.session)
    db.session.commit()
    click.echo(f"rows counted: {rows}")


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler in this process (exactly one per deployment)."""
    from web.scheduler import AlreadyRunning, build_scheduler, single_instance

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        with single_instance(app):
            scheduler = build_scheduler(app)
            click.echo(f"scheduler running with jobs: {', '.join(j.id for j in scheduler.get_jobs())}")
            scheduler.start()
    except AlreadyRunning as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(3)


def register(app: Any) -> None:
    """Add the command groups to the app's CLI."""
    for group in (model_cli, demo_cli, ingest_cli, postings_cli, sources_cli, users_cli, jobs_cli, index_cli):
        app.cli.add_command(group)
    app.cli.add_command(scheduler_command)
