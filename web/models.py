"""Data model v1: typed SQLAlchemy 2 models. Every change here needs an Alembic revision."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

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
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(TS, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(TS, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TS, default=utcnow, onupdate=utcnow)

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
    """A posting's vector under one model, valid for one content hash."""

    __tablename__ = "posting_embeddings"
    __table_args__ = (UniqueConstraint("posting_id", "model_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    model_id: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class User(Model):
    """A person who signs in: a seeker, bureau staff, a collaboration office or an admin."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    locale: Mapped[str] = mapped_column(String(10), default="zh_Hans")
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)

    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="user")


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
    demo_key: Mapped[str | None] = mapped_column(String(50), unique=True)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)

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
