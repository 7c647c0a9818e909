"""Large downloads as background jobs: the click stores an ``export_jobs`` row and the job
runner (the scheduler's poll, or ``flask jobs run``, under the runner lock) writes the file.

The request side counts the records a download would read (a cheap COUNT); at most
``JIUJIN_EXPORT_INLINE_ROWS`` and the file is sent at once, as before; more, and a job is
queued and the browser sent to its progress page. Clicking the same download again while its
job waits or runs gives that job (``live_key``, unique while the job is live).

The runner claims a job (queued, or running with a heartbeat older than ``LEASE``: its runner
died, so the job is taken over), writes the file with ``web.services.exports.write_export``
into a temporary file, committing the records read and a heartbeat between chunks, then stores
the finished file and ``done`` in one commit. A rerun writes the file again into the same row:
one file per job, never two. A job interrupted ``MAX_ATTEMPTS`` times, or whose writer raises,
is ``failed`` with its reason. A done job keeps its file until ``expires_at``; the runner then
drops the file (``expired``) and, a month later, the row (a failed job's row too).

Functions ending in ``_exports``/``run_*``/``claim_*`` commit: they are the job boundary.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from web.extensions import begin_write
from web.models import ExportJob, utcnow
from web.policy import Scope
from web.services.exports import ExportGone, write_export

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)  # a running job without a heartbeat for this long is taken over
MAX_ATTEMPTS = 3
KEEP_ROWS = timedelta(days=30)  # an expired job's row (no file) stays this long for its page
LIVE = ("queued", "running")
FINISHED = ("done", "failed", "expired")


class Superseded(RuntimeError):
    """Another runner took the job over (this one's lease had lapsed): stop writing it."""


# --- the request side


def live_key(kind: str, params: dict[str, Any], user_id: int | None) -> str:
    """The identity of a download request: the same kind, parameters and requester."""
    text = json.dumps([kind, params, user_id], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def queue_export(session: Session, user: Any, kind: str, params: dict[str, Any], total: int,
                 file_name: str) -> ExportJob:
    """A queued job for this download, or the requester's same one that is still waiting or running."""
    key = live_key(kind, params, getattr(user, "id", None))
    waiting = session.scalar(select(ExportJob).where(ExportJob.live_key == key))
    if waiting is not None:
        return waiting
    job = ExportJob(kind=kind, params=params, created_by_id=getattr(user, "id", None), live_key=key,
                    status="queued", message="", total=total, done=0, attempts=0, result={},
                    file_name=file_name[:200], file_size=0)
    try:
        with session.begin_nested():  # a double click racing this one holds the key: use its job
            session.add(job)
    except IntegrityError:
        found = session.scalar(select(ExportJob).where(ExportJob.live_key == key))
        if found is None:
            raise
        return found
    return job


def visible_export(session: Session, scope: Scope, kind: str, export_id: int) -> ExportJob | None:
    """The job if it is of ``kind`` and in the member's scope: the county of a county report or
    an import (bureau staff of that county), the pairs of a collaboration table (offices of all
    of them); admins see every job. The route's guard has already checked the role."""
    job = session.get(ExportJob, export_id)
    if job is None or job.kind != kind:
        return None
    if scope.admin:
        return job
    if kind == "collab_table":
        pairs = job.params.get("pairs")
        return job if pairs and set(pairs) <= set(scope.pair_ids) else None
    return job if scope.contains("county", job.params.get("county")) and scope.counties else None


def export_status(job: ExportJob, now: datetime | None = None) -> dict[str, Any]:
    """The job's progress in numbers and its state; a failure's reason in words."""
    now = now or utcnow()
    beat = _aware(job.heartbeat_at)
    stalled = job.status == "running" and (beat is None or now - beat > LEASE)
    return {"id": job.id, "kind": job.kind, "status": job.status, "total": job.total, "done": job.done,
            "rows": int((job.result or {}).get("rows", 0)), "size": job.file_size,
            "stalled": stalled, "finished": job.status in FINISHED, "attempts": job.attempts,
            "reason": failure_words(job.message) if job.status == "failed" else None,
            "expires_at": _aware(job.expires_at), "back": job.params.get("back", "")}


def failure_words(code: str) -> str:
    """Why a job failed, in plain words."""
    if code == "interrupted":
        return ngettext("生成文件时连续中断了%(n)s次，已经停止。请再导出一次；还不行请联系管理员。",
                        "生成文件时连续中断了%(n)s次，已经停止。请再导出一次；还不行请联系管理员。",
                        MAX_ATTEMPTS, n=MAX_ATTEMPTS)
    if code.startswith("gone"):
        return gettext("要导出的内容已经不存在了（可能已被删除）。")
    return gettext("生成文件时出错（%(error)s）。请再导出一次；还不行请联系管理员。",
                   error=code.removeprefix("error:") or "?")


def export_file(session: Session, job: ExportJob) -> bytes | None:
    """The finished file, or None while there is none (not done yet, failed or expired)."""
    if job.status != "done":
        return None
    return session.scalar(select(ExportJob.data).where(ExportJob.id == job.id))


def _aware(moment: datetime | None) -> datetime | None:
    """A stored moment as aware UTC (SQLite gives naive ones back)."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- the runner side


def _after_chunk(job_id: int, done: int) -> None:
    """Called after each committed chunk (tests replace it to stop a run half-way)."""


def run_next_export(session: Session, keep: timedelta, occupations: Any = None,
                    now: Callable[[], datetime] = utcnow) -> bool:
    """Claim and run the oldest waiting (or abandoned) job; whether there was one. The caller
    has committed, and holds the runner lock or is a test."""
    claimed = claim_export(session, now())
    if claimed is None:
        return False
    run_export(session, claimed, keep, occupations, now)
    return True


def claim_export(session: Session, now: datetime) -> tuple[int, int] | None:
    """Mark the oldest queued job, or a running one whose lease lapsed, as running (one more
    attempt); (id, attempt), or None. A job interrupted ``MAX_ATTEMPTS`` times fails instead."""
    while True:
        session.rollback()
        begin_write(session)
        job = session.scalar(select(ExportJob).where(or_(
            ExportJob.status == "queued",
            and_(ExportJob.status == "running",
                 or_(ExportJob.heartbeat_at.is_(None), ExportJob.heartbeat_at < now - LEASE))))
            .order_by(ExportJob.id).limit(1).with_for_update(skip_locked=True))
        if job is None:
            session.commit()
            return None
        if job.attempts >= MAX_ATTEMPTS:
            _finish_failed(job, "interrupted", now)
            session.commit()
            continue
        job.status, job.attempts, job.heartbeat_at, job.done = "running", job.attempts + 1, now, 0
        claimed = (job.id, job.attempts)
        session.commit()
        return claimed


def run_export(session: Session, claimed: tuple[int, int], keep: timedelta, occupations: Any = None,
               now: Callable[[], datetime] = utcnow) -> None:
    """Write the job's file and store it, or record why it failed; commits."""
    job_id, attempt = claimed
    job = session.get(ExportJob, job_id)
    assert job is not None
    kind, params = job.kind, dict(job.params)
    session.rollback()

    def progress(done: int) -> None:
        _beat(session, job_id, attempt, done, now())
        _after_chunk(job_id, done)

    try:
        with tempfile.TemporaryFile() as out, force_locale(params.get("lang") or "zh"):
            result = write_export(session, kind, params, out, progress, occupations)
            out.seek(0)
            data = out.read()
        _store(session, job_id, attempt, data, result, now(), keep)
    except Superseded:
        session.rollback()
        log.warning("export job %s was taken over by another runner", job_id)
    except Exception as exc:
        session.rollback()
        log.exception("export job %s failed", job_id)
        code = f"gone:{exc}" if isinstance(exc, ExportGone) else f"error:{type(exc).__name__}"
        _write(session, job_id, attempt, _failed_values(code, now()))


def _beat(session: Session, job_id: int, attempt: int, done: int, now: datetime) -> None:
    """The records read so far and a heartbeat, in a short transaction (no query is open)."""
    _write(session, job_id, attempt, {"done": done, "heartbeat_at": now})


def _store(session: Session, job_id: int, attempt: int, data: bytes, result: dict[str, Any],
           now: datetime, keep: timedelta) -> None:
    """The finished file and the job's end, in one commit."""
    _write(session, job_id, attempt, {"status": "done", "data": data, "file_size": len(data),
                                      "result": result, "finished_at": now, "expires_at": now + keep,
                                      "live_key": None, "heartbeat_at": now, "message": ""})


def _write(session: Session, job_id: int, attempt: int, values: dict[str, Any]) -> None:
    """Update the job if this run still owns it (its attempt); raise Superseded if not."""
    session.rollback()  # end any read: on SQLite the write lock is taken first (BEGIN IMMEDIATE)
    begin_write(session)
    changed = session.execute(update(ExportJob).where(
        ExportJob.id == job_id, ExportJob.attempts == attempt, ExportJob.status == "running")
        .values(**values).execution_options(synchronize_session=False)).rowcount
    session.commit()
    if not changed:
        raise Superseded(job_id)


def _failed_values(code: str, now: datetime) -> dict[str, Any]:
    return {"status": "failed", "message": code[:500], "finished_at": now, "expires_at": now,
            "live_key": None, "data": None}


def _finish_failed(job: ExportJob, code: str, now: datetime) -> None:
    for key, value in _failed_values(code, now).items():
        setattr(job, key, value)


def expire_exports(session: Session, now: datetime) -> int:
    """Drop the files of jobs past ``expires_at`` (they become ``expired``) and the rows of jobs
    expired a month ago; how many files were dropped. Commits."""
    session.rollback()
    begin_write(session)
    dropped = session.execute(update(ExportJob).where(ExportJob.status == "done", ExportJob.expires_at < now)
                              .values(status="expired", data=None)
                              .execution_options(synchronize_session=False)).rowcount
    session.execute(delete(ExportJob).where(ExportJob.status.in_(("expired", "failed")),
                                            ExportJob.expires_at < now - KEEP_ROWS)
                    .execution_options(synchronize_session=False))
    session.commit()
    return int(dropped or 0)
