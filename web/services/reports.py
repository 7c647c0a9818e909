"""Reports of suspicious postings and the moderators' queue."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.models import REPORT_REASONS, Posting, PostingReport


class ReportError(Exception):
    """A report or a moderation action that cannot be done: ``kind`` is a stable code."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass
class ReportedPosting:
    """One posting in the queue with its open reports."""

    posting: Posting
    reports: list[PostingReport] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many open reports the posting has."""
        return len(self.reports)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """Each reason with its count, most frequent first."""
        return Counter(r.reason for r in self.reports).most_common()


def submit_report(session: Session, posting_id: int, reason: str, detail: str = "",
                  user_id: int | None = None) -> tuple[PostingReport, bool]:
    """Store a report (anonymous when ``user_id`` is None); returns it and whether it is new.

    A signed-in person's second report of the same posting for the same reason is not stored again.
    """
    if reason not in REPORT_REASONS:
        raise ReportError("bad_reason")
    if session.get(Posting, posting_id) is None:
        raise ReportError("not_found")
    if user_id is not None:
        earlier = session.scalar(select(PostingReport).where(
            PostingReport.posting_id == posting_id, PostingReport.user_id == user_id,
            PostingReport.reason == reason))
        if earlier is not None:
            return earlier, False
    report = PostingReport(posting_id=posting_id, user_id=user_id, reason=reason, detail=detail.strip())
    session.add(report)
    session.flush()
    return report, True


def open_reports_by_posting(session: Session) -> list[ReportedPosting]:
    """Open reports grouped by posting, the most reported posting first."""
    reports = session.scalars(select(PostingReport).where(PostingReport.status == "open")
                              .order_by(PostingReport.created_at.desc(), PostingReport.id.desc()))
    groups: dict[int, ReportedPosting] = {}
    for report in reports:
        if report.posting_id not in groups:
            groups[report.posting_id] = ReportedPosting(session.get(Posting, report.posting_id))
        groups[report.posting_id].reports.append(report)
    return sorted(groups.values(), key=lambda g: -g.count)


def dismiss_report(session: Session, report_id: int) -> PostingReport:
    """Mark an open report as dismissed (nothing wrong found)."""
    report = session.get(PostingReport, report_id)
    if report is None or report.status != "open":
        raise ReportError("not_found")
    report.status = "dismissed"
    session.flush()
    return report


def close_reported_posting(session: Session, posting_id: int) -> Posting:
    """Close a posting (no more applications, out of the match index) and resolve its open reports."""
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise ReportError("not_found")
    posting.status = "closed"  # the match indexes follow: changed_at moves (web.changes)
    for report in session.scalars(select(PostingReport).where(PostingReport.posting_id == posting_id,
                                                              PostingReport.status == "open")):
        report.status = "resolved"
    session.flush()
    return posting
