"""A seeker's applications: apply once per posting, follow the status, withdraw."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from web.models import APPLICATION_STATUSES, Application, Posting, Worker

# Once an application reached one of these, the seeker can no longer withdraw it.
FINAL_STATUSES = ("rejected", "withdrawn")


class ApplicationError(Exception):
    """Why an application could not be made or changed: ``kind`` is a stable code for views and the API."""

    def __init__(self, kind: str, application: Application | None = None):
        super().__init__(kind)
        self.kind = kind
        self.application = application


def is_open(posting: Posting) -> bool:
    """Whether a posting still takes applications (expired and closed ones do not)."""
    return posting.status == "open"


def find_application(session: Session, worker_id: int, posting_id: int) -> Application | None:
    """The worker's application to a posting, if any."""
    return session.scalar(select(Application).where(Application.worker_id == worker_id,
                                                    Application.posting_id == posting_id))


def apply_to_posting(session: Session, worker: Worker, posting_id: int) -> Application:
    """Record an application ("submitted"); one per worker and posting.

    Raises ``ApplicationError`` with kind ``not_found``, ``closed`` or ``duplicate``. A withdrawn
    application is submitted again rather than duplicated (the pair is unique).
    """
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise ApplicationError("not_found")
    existing = find_application(session, worker.id, posting_id)
    if existing is not None and existing.status != "withdrawn":
        raise ApplicationError("duplicate", existing)
    if not is_open(posting):
        raise ApplicationError("closed", existing)
    if existing is not None:
        existing.status = "submitted"
        session.flush()
        return existing
    application = Application(worker_id=worker.id, posting_id=posting_id, status="submitted")
    try:
        with session.begin_nested():  # a concurrent apply for the same pair loses on the unique key
            session.add(application)
    except IntegrityError as exc:
        raise ApplicationError("duplicate", find_application(session, worker.id, posting_id)) from exc
    return application


def list_applications(session: Session, worker: Worker) -> list[tuple[Application, Posting]]:
    """The worker's applications with their postings, newest first."""
    rows = session.execute(
        select(Application, Posting).join(Posting, Posting.id == Application.posting_id)
        .where(Application.worker_id == worker.id)
        .order_by(Application.created_at.desc(), Application.id.desc()))
    return [(a, p) for a, p in rows]


def own_application(session: Session, worker: Worker, application_id: int) -> tuple[Application, Posting]:
    """One of the worker's own applications with its posting; ``not_found`` for anyone else's."""
    application = session.get(Application, application_id)
    if application is None or application.worker_id != worker.id:
        raise ApplicationError("not_found")
    posting = session.get(Posting, application.posting_id)
    assert posting is not None  # the foreign key holds
    return application, posting


def withdraw_application(session: Session, worker: Worker, application_id: int) -> Application:
    """Withdraw one of the worker's own applications; ``not_found`` for anyone else's."""
    application = session.get(Application, application_id)
    if application is None or application.worker_id != worker.id:
        raise ApplicationError("not_found")
    if application.status in FINAL_STATUSES:
        raise ApplicationError("final", application)
    return set_application_status(session, application, "withdrawn")


def set_application_status(session: Session, application: Application, status: str) -> Application:
    """Move an application to ``status`` (one of APPLICATION_STATUSES); ``bad_status`` otherwise."""
    if status not in APPLICATION_STATUSES:
        raise ApplicationError("bad_status", application)
    application.status = status
    session.flush()
    return application
