"""Data model v1: typed SQLAlchemy 2 models. Every change here needs an Alembic revision."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.extensions import db


def utcnow() -> datetime:
    """Timezone-aware now in UTC (a callable default, never evaluated at import)."""
    return datetime.now(UTC)


Model = db.Model
TS = DateTime(timezone=True)

POSTING_STATUSES = ("open", "expired", "closed")
TRUST_LEVELS = ("bureau", "employer", "aggregator")
ROLES = ("seeker", "bureau", "collab", "admin")


class Place(Model):
    """An administrative place (province, city, county, township) with its centre."""

    __tablename__ = "places"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    coord_source: Mapped[str] = mapped_column(String(32), default="cpca-2020")


class RegionPair(Model):
    """An east–west collaboration pair: a western region and its eastern partner."""

    __tablename__ = "region_pairs"
    __table_args__ = (UniqueConstraint("west_place_id", "east_place_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    west_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    east_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))


class Employer(Model):
    """An employer, keyed by its name as written."""

    __tablename__ = "employers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class Source(Model):
    """A registered place postings come from."""

    __tablename__ = "sources"
    __table_args__ = (CheckConstraint("trust IN ('bureau', 'employer', 'aggregator')", name="trust"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # What seekers see ("榕江县人社局"); the internal ``name`` never reaches a seeker's page.
    public_name: Mapped[str | None] = mapped_column(String(100))
    # What the job page says happens after applying: the publisher's phone, and within how many
    # working days it calls back (both only as the operator configured them; never guessed).
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    reply_days: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    location: Mapped[str] = mapped_column(String(1000), default="")
    schedule: Mapped[str | None] = mapped_column(String(100))
    trust: Mapped[str] = mapped_column(String(16), default="aggregator")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    allow_private_network: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # ETag/Last-Modified validators and bodies from the last complete run (conditional GET).
    http_cache: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class IngestRun(Model):
    """One run of one source, with counts by outcome."""

    __tablename__ = "ingest_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(TS)
    status: Mapped[str] = mapped_column(String(16), default="running")
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    expired: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)

    source: Mapped[Source] = relationship()


class Posting(Model):
    """One real job, however many sources list it."""

    __tablename__ = "postings"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id"),
        CheckConstraint("status IN ('open', 'expired', 'closed')", name="status"),
        Index("ix_postings_status_place", "status", "place_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    external_id: Mapped[str] = mapped_column(String(500))
    canonical_url: Mapped[str | None] = mapped_column(String(1000), unique=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    place_text: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    wage_min: Mapped[int | None] = mapped_column(Integer)
    wage_max: Mapped[int | None] = mapped_column(Integer)
    wage_text: Mapped[str] = mapped_column(String(200), default="")
    housing: Mapped[bool] = mapped_column(Boolean, default=False)
    meals: Mapped[bool] = mapped_column(Boolean, default=False)
    employment_type: Mapped[str | None] = mapped_column(String(16))
    headcount: Mapped[int | None] = mapped_column(Integer)
    posted_at: Mapped[date | None] = mapped_column(Date)
    valid_through: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    content_hash: Mapped[str] = mapped_column(String(64), index=True)  # the same content: one posting
    first_seen: Mapped[datetime] = mapped_column(TS, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(TS, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TS, default=utcnow, onupdate=utcnow)
    # When what the match index sees changed (content, status, vector), never on a mere
    # sighting: each process's index follows it (web/services/index.py).
    changed_at: Mapped[datetime] = mapped_column(TS, default=utcnow, index=True)

    employer: Mapped[Employer | None] = relationship()
    place: Mapped[Place | None] = relationship()
    source: Mapped[Source] = relationship()
    sightings: Mapped[list[PostingSource]] = relationship(back_populates="posting")


class PostingSource(Model):
    """One sighting of a posting at a source (a posting may be listed by several)."""

    __tablename__ = "posting_sources"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    external_id: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(TS, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(TS, default=utcnow)
    # Fingerprint of the raw item last stored: an identical item skips normalising next run.
    raw_hash: Mapped[str | None] = mapped_column(String(64))
    # The item's own update time as this source last gave it (API updated_at, feed <updated>):
    # a version older than this never overwrites the stored one.
    item_updated_at: Mapped[datetime | None] = mapped_column(TS)
    # Successful runs of this source in a row that did not list the posting any more.
    missed_runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    posting: Mapped[Posting] = relationship(back_populates="sightings")
    source: Mapped[Source] = relationship()


class QuarantinedRecord(Model):
    """A fetched item that could not become a posting, kept with its reason."""

    __tablename__ = "quarantined_records"
    __table_args__ = (UniqueConstraint("source_id", "raw_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"))
    external_id: Mapped[str | None] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    raw_excerpt: Mapped[str] = mapped_column(Text)
    raw_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(TS, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(TS, default=utcnow)
    times_seen: Mapped[int] = mapped_column(Integer, default=1)

    source: Mapped[Source] = relationship()


class PostingEmbedding(Model):
    """A posting's vector under one model, valid for one content hash; ``text_hash`` names the
    text it was made from (a change elsewhere in the posting, or another posting with the same
    text, reuses the vector instead of embedding again)."""

    __tablename__ = "posting_embeddings"
    __table_args__ = (UniqueConstraint("posting_id", "model_id"),
                      Index("ix_posting_embeddings_model_id_text_hash", "model_id", "text_hash"))
    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    model_id: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    text_hash: Mapped[str | None] = mapped_column(String(64))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class User(UserMixin, Model):
    """A person who signs in: a seeker, bureau staff, a collaboration office or an admin."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    locale: Mapped[str] = mapped_column(String(10), default="zh_Hans")
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    # Bumped on logout and password change: every session cookie and API token issued before
    # carries the old number and stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    phone_verified_at: Mapped[datetime | None] = mapped_column(TS)
    consent_at: Mapped[datetime | None] = mapped_column(TS)
    consent_version: Mapped[str | None] = mapped_column(String(20))
    # When the person last looked at their matches ("new since your last visit").
    last_seen_matches_at: Mapped[datetime | None] = mapped_column(TS)

    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="user")

    def get_id(self) -> str:
        """The session key: id and session version, so a bumped version logs every session out."""
        return f"{self.id}:{self.session_version}"

    def has_role(self, role: str) -> bool:
        """Whether any of the user's role assignments is ``role``."""
        return any(r.role == role for r in self.roles)


class RoleAssignment(Model):
    """A role with its scope: bureau staff to a county, a collaboration office to a pair."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "county_id", "region_pair_id"),
        CheckConstraint("role IN ('seeker', 'bureau', 'collab', 'admin')", name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(16))
    county_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    region_pair_id: Mapped[int | None] = mapped_column(ForeignKey("region_pairs.id"))

    user: Mapped[User] = relationship(back_populates="roles")


class Worker(Model):
    """A job seeker's profile: own words, home, reach and wishes."""

    __tablename__ = "workers"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text)
    home_place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    home_text: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    max_commute_km: Mapped[int] = mapped_column(Integer, default=20)
    will_relocate: Mapped[bool] = mapped_column(Boolean, default=False)
    wage_expectation: Mapped[int | None] = mapped_column(Integer)
    availability: Mapped[str] = mapped_column(String(200), default="")
    unavailable_months: Mapped[list[int]] = mapped_column(JSON, default=list)
    employment_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    certificates: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(TS, default=utcnow, onupdate=utcnow)
    demo_key: Mapped[str | None] = mapped_column(String(50), unique=True)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    # Assisted registration: the clerk who created the profile, and how consent was captured
    # ("self" on the site, "written" on paper, "verbal" on the phone; recorded by the clerk).
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    consent_method: Mapped[str] = mapped_column(String(16), default="self", server_default="self")
    consent_recorded_at: Mapped[datetime | None] = mapped_column(TS)
    village: Mapped[str] = mapped_column(String(100), default="", server_default="")
    phone: Mapped[str | None] = mapped_column(String(20))  # contact for walk-ins without an account

    home_place: Mapped[Place | None] = relationship()


class Application(Model):
    """A worker's application to a posting; one per pair."""

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("worker_id", "posting_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id"))
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TS, default=utcnow, onupdate=utcnow)


APPLICATION_STATUSES = ("submitted", "viewed", "interview", "hired", "rejected", "withdrawn")
MARK_KINDS = ("saved", "dismissed")
REPORT_REASONS = ("fees", "brushing", "off_platform", "misleading", "other")


class PostingMark(Model):
    """A seeker's "saved" or "not interested" on a posting (one mark per pair)."""

    __tablename__ = "posting_marks"
    __table_args__ = (
        UniqueConstraint("worker_id", "posting_id"),
        CheckConstraint("kind IN ('saved', 'dismissed')", name="mark_kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"))
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class PostingReport(Model):
    """A report of a suspicious posting (fees, 刷单, off-platform contact), queued for moderators."""

    __tablename__ = "posting_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    # Anyone may report; a signed-in reporter is kept so a deleted account takes its reports along.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class OneTimeCode(Model):
    """A one-time code sent to a phone (sign-up, password reset); only its hash is kept."""

    __tablename__ = "one_time_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(TS)
    used_at: Mapped[datetime | None] = mapped_column(TS)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class LoginThrottle(Model):
    """Wrong passwords given for one phone number, from any address: the per-account back-off.

    Keyed by an HMAC of the phone as typed (normalised), so unknown numbers are throttled exactly
    like registered ones and the table holds no phone number.
    """

    __tablename__ = "login_throttles"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(TS)
    last_failure_at: Mapped[datetime | None] = mapped_column(TS)


class ApiToken(Model):
    """A bearer token for the JSON API; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(TS)


class Notification(Model):
    """A message sent through a notification channel (SMS/WeChat template, or the log here)."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "kind", "dedupe_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Makes a rerun harmless: one daily digest per person per day, one push per posting, ...
    dedupe_key: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="sent")
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


HOUSEHOLD_KINDS = ("tuopin", "jiance", "yidi")  # 脱贫户, 监测户, 易地搬迁户
CHECKIN_MONTHS = (1, 3, 6)


class RegionPairPlace(Model):
    """A place on one side of a collaboration pair (western counties/prefectures, eastern cities)."""

    __tablename__ = "region_pair_places"
    __table_args__ = (
        UniqueConstraint("region_pair_id", "place_id"),
        CheckConstraint("side IN ('west', 'east')", name="side"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    region_pair_id: Mapped[int] = mapped_column(ForeignKey("region_pairs.id", ondelete="CASCADE"))
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    side: Mapped[str] = mapped_column(String(8))

    place: Mapped[Place] = relationship()


class KeyCounty(Model):
    """A key assistance county (乡村振兴重点帮扶县), maintained by admins."""

    __tablename__ = "key_counties"
    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)

    place: Mapped[Place] = relationship()


class AuditEntry(Model):
    """Who did or tried what to which object: denials, and every view or change of a household mark."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # ok | forbidden | not_found
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow, index=True)


class HouseholdMark(Model):
    """A worker's priority-household mark; only staff in scope see it, every view is audited."""

    __tablename__ = "household_marks"
    __table_args__ = (CheckConstraint("kind IN ('tuopin', 'jiance', 'yidi')", name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TS, default=utcnow, onupdate=utcnow)


class Placement(Model):
    """A worker placed in a job (from an application or recorded by hand)."""

    __tablename__ = "placements"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"), unique=True)
    employer_name: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    # The worker's county when placed: county figures stay traceable if the worker moves later.
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    occupation_code: Mapped[str | None] = mapped_column(String(16))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16), default="manual")  # application | manual
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)

    checkins: Mapped[list[CheckIn]] = relationship(back_populates="placement",
                                                   order_by="CheckIn.month_offset")


class CheckIn(Model):
    """A follow-up 1, 3 or 6 months after a placement: still working? paid on time?"""

    __tablename__ = "placement_checkins"
    __table_args__ = (UniqueConstraint("placement_id", "month_offset"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id", ondelete="CASCADE"))
    month_offset: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    done_at: Mapped[datetime | None] = mapped_column(TS)
    still_working: Mapped[bool | None] = mapped_column(Boolean)
    paid_on_time: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    placement: Mapped[Placement] = relationship(back_populates="checkins")


class JobPush(Model):
    """A posting pushed to a worker by a collaboration office or a bureau, and the response."""

    __tablename__ = "job_pushes"
    __table_args__ = (UniqueConstraint("posting_id", "worker_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    pushed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    region_pair_id: Mapped[int | None] = mapped_column(ForeignKey("region_pairs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    response: Mapped[str | None] = mapped_column(String(16))  # interested | not_interested | applied
    responded_at: Mapped[datetime | None] = mapped_column(TS)


class ImportJob(Model):
    """A bureau spreadsheet upload waiting for, or done by, the job runner (web/services/import_jobs.py).

    The upload request stores only the file and this row; the runner reads the file in batches
    and moves ``cursor`` (items done, committed with each batch's postings), so a killed run
    resumes where its last batch ended."""

    __tablename__ = "import_jobs"
    __table_args__ = (Index("ix_import_jobs_status", "status", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    county: Mapped[str] = mapped_column(String(16), index=True)
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # admin, counties of the uploader
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    file_name: Mapped[str] = mapped_column(String(200))
    file_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)  # dropped once the job has finished
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued running done refused failed
    message: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[int | None] = mapped_column(Integer)  # data rows, known after the checking pass
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    heartbeat_at: Mapped[datetime | None] = mapped_column(TS)
    finished_at: Mapped[datetime | None] = mapped_column(TS)


class ImportJobRow(Model):
    """What became of one row of an import job; (job, seq) is the row's natural key, so a batch
    that is run again after a kill can never add a row twice."""

    __tablename__ = "import_job_rows"
    __table_args__ = (UniqueConstraint("job_id", "seq"), Index("ix_import_job_rows_external", "job_id",
                                                               "external_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)  # the item's place in the file, from 0
    row: Mapped[int | None] = mapped_column(Integer)  # the spreadsheet's row number
    title: Mapped[str] = mapped_column(String(120), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64), default="")
    external_id: Mapped[str] = mapped_column(String(500), default="")
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))


class ExportJob(Model):
    """A large download (the county report, a collaboration table, an import's row report) made
    by the job runner instead of the request (web/services/export_jobs.py).

    ``live_key`` (kind, parameters, requester) is set only while the job waits or runs and is
    unique, so clicking the same download twice gives the same job. The finished file is kept in
    ``data`` until ``expires_at``; a rerun after a kill overwrites it: one file per job."""

    __tablename__ = "export_jobs"
    __table_args__ = (Index("ix_export_jobs_status", "status", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # county_report | collab_table | import_report
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what to write, and its scope
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    live_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued running done failed expired
    message: Mapped[str] = mapped_column(Text, default="")  # why it failed
    total: Mapped[int] = mapped_column(Integer, default=0)  # records to read (a COUNT when asked for)
    done: Mapped[int] = mapped_column(Integer, default=0)  # records read so far
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # rows written, marked worker ids
    file_name: Mapped[str] = mapped_column(String(200), default="")
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    heartbeat_at: Mapped[datetime | None] = mapped_column(TS)
    finished_at: Mapped[datetime | None] = mapped_column(TS)
    expires_at: Mapped[datetime | None] = mapped_column(TS, index=True)


# The one place postings.changed_at moves (session events); imported last, it needs the models.
import web.changes  # noqa: E402,F401
