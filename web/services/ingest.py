"""Register sources and store what ingestion returns: new, updated, unchanged, duplicate,
expired or quarantined — one transaction per source run, committed by the caller."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from jobs_ingest.dedupe import NearDuplicateIndex, Sketch, trust_rank
from jobs_ingest.pipeline import Step, item_id, prepare_items
from jobs_ingest.pipeline import run_source as run_pipeline
from jobs_ingest.records import BatchResult, PostingRecord, Prepared, RawItem, Rejection, SourceConfig
from jobs_ingest.text import drop_unsafe
from places import Gazetteer
from web.models import (
    Employer,
    IngestRun,
    Place,
    Posting,
    PostingSource,
    QuarantinedRecord,
    Source,
    utcnow,
)
from web.services.places import place_ids_by_code

DEFAULT_CLOSE_AFTER = 3
ONLY_IDS = 2000  # a batch with fewer ids reads just their sightings, not the whole source's
SOURCE_KEYS = {"name", "kind", "url", "path", "trust", "schedule", "options", "allow_private_network",
               "public_name", "contact_phone", "reply_days"}
RECORD_FIELDS = ("title", "description", "place_text", "lat", "lon", "wage_min", "wage_max",
                 "wage_text", "housing", "meals", "employment_type", "headcount", "posted_at",
                 "valid_through", "url", "canonical_url", "content_hash")


def upsert_source(session: Session, spec: dict[str, Any]) -> Source:
    """Create or update a source from a spec (name, kind, url/path, trust, schedule, options)."""
    source = session.scalar(select(Source).where(Source.name == spec["name"]))
    if source is None:
        source = Source(name=spec["name"], kind=spec["kind"])
        session.add(source)
    source.kind = spec["kind"]
    source.location = spec.get("url") or spec.get("path") or ""
    source.trust = spec.get("trust", "aggregator")  # its postings' changed_at: web.changes
    source.schedule = spec.get("schedule")
    # Kind-specific keys (mapping, sitemap, max_depth, …) may sit in the entry itself or in
    # an ``options`` table; both end up in Source.options for the source kind to read.
    extra = {k: v for k, v in spec.items() if k not in SOURCE_KEYS}
    source.options = {**dict(spec.get("options", {})), **extra}
    source.allow_private_network = bool(spec.get("allow_private_network", False))
    # What seekers see; a spec without these keys keeps what an admin set on the site.
    for key in ("public_name", "contact_phone", "reply_days"):
        if key in spec:
            setattr(source, key, spec[key] or None)
    session.flush()
    return source


def list_sources(session: Session) -> list[dict[str, Any]]:
    """Every registered source with its settings and last run."""
    rows = []
    for source in session.scalars(select(Source).order_by(Source.name)):
        last = session.scalar(select(IngestRun).where(IngestRun.source_id == source.id)
                              .order_by(IngestRun.id.desc()).limit(1))
        rows.append({"name": source.name, "public_name": source.public_name,
                     "contact_phone": source.contact_phone, "reply_days": source.reply_days,
                     "kind": source.kind, "location": source.location,
                     "trust": source.trust, "schedule": source.schedule, "enabled": source.enabled,
                     "allow_private_network": source.allow_private_network, "options": source.options,
                     "last_run": run_counts(last) | {"status": last.status,
                                                     "started_at": last.started_at.isoformat()}
                     if last else None})
    return rows


def set_enabled(session: Session, name: str, enabled: bool) -> bool:
    """Enable or disable a source by name; False when there is none."""
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        return False
    source.enabled = enabled
    return True


def source_config(source: Source) -> SourceConfig:
    """The plain config the ingestion library takes."""
    return SourceConfig(name=source.name, kind=source.kind, location=source.location,
                        trust=source.trust, options=dict(source.options or {}),
                        allow_private_network=source.allow_private_network,
                        http_cache=dict(source.http_cache or {}))


def run_source(session: Session, source: Source, gazetteer: Gazetteer, today: date) -> IngestRun:
    """Fetch, normalise and store one source; returns the recorded run with its counts."""
    config, known = plan_run(session, source)
    started = utcnow()
    batch = run_pipeline(config, gazetteer, today, known)
    return store_run(session, source, batch, today, started)


def plan_run(session: Session, source: Source) -> tuple[SourceConfig, dict[str, str]]:
    """What a run needs before fetching, read only: the source's config and the raw hash of
    every stored sighting (so items that arrive exactly as stored skip normalising)."""
    known = {ext: raw for ext, raw in session.execute(
        select(PostingSource.external_id, PostingSource.raw_hash)
        .where(PostingSource.source_id == source.id, PostingSource.raw_hash.is_not(None)))}
    return source_config(source), known


def new_run(session: Session, source: Source, started: datetime | None = None) -> IngestRun:
    """An ingest run row with every count at zero (``ingest_items`` adds to them)."""
    run = IngestRun(source_id=source.id, rejected={}, errors=[], started_at=started or utcnow(), fetched=0,
                    new=0, updated=0, unchanged=0, duplicates=0, expired=0)
    session.add(run)
    session.flush()
    return run


def store_run(session: Session, source: Source, batch: BatchResult, today: date,
              started: datetime | None = None) -> IngestRun:
    """Record a fetched batch as one run of ``source`` (started at ``started``): its items
    through ``ingest_items``, its cache state, and — for a complete listing — what disappeared.
    Never commits."""
    run = new_run(session, source, started)
    outcomes = ingest_items(session, source, batch.items, today=today, run=run)
    if batch.fetched and not batch.errors:  # only a complete listing says what disappeared
        track_disappeared(session, source, {o.external_id for o in outcomes if o.external_id})
    if batch.http_cache is not None:
        source.http_cache = batch.http_cache  # saved with the run, in one transaction
    run.errors = list(batch.errors)
    run.finished_at = utcnow()
    run.status = "failed" if batch.errors and not batch.fetched else "ok"
    session.flush()
    return run


@dataclass
class ItemOutcome:
    """What became of one item: ``new``, ``updated``, ``unchanged``, ``duplicate`` (of the posting
    ``posting_id``; a repeat within the batch too), ``expired`` (past its date: not listed; stored
    as an expired posting only where the caller keeps expired ones) or ``quarantined`` (``reason``).
    ``expired`` is also set on a new or updated posting that was stored already past its date."""

    key: Any
    outcome: str
    external_id: str
    title: str
    posting_id: int | None = None
    reason: str = ""
    detail: str = ""
    expired: bool = False
    _posting: Posting | None = field(default=None, repr=False)


Item = RawItem | tuple[Any, RawItem] | Prepared


def ingest_items(session: Session, source: Source, items: Iterable[Item], *, today: date,
                 gazetteer: Gazetteer | None = None, run: IngestRun | None = None,
                 steps: Sequence[Step] = (), store_expired: bool = True) -> list[ItemOutcome]:
    """The one way postings are stored: normalise (``jobs_ingest.pipeline``, the standard steps
    then ``steps``), de-duplicate, store, quarantine; one outcome per item, in order. Vectors
    are made afterwards for what has none (``embeddings.embed_pending``).

    ``items``: raw items, (key, raw item) pairs (the key, e.g. a row number, comes back on the
    outcome), or items a caller already prepared outside its transaction (a fetching run).
    ``run`` collects the counts (a new run row when None). ``store_expired`` False: a new item
    already past its date is reported ``expired`` and not stored (a bureau's form and upload).
    Nothing is closed for being absent: that is ``store_run``'s, for a complete listing. Never
    commits."""
    items = list(items)
    raw = [i for i in items if not isinstance(i, Prepared)]
    if raw:
        if gazetteer is None:
            raise ValueError("raw items need a gazetteer")
        ids = {item_id(_raw(i)) for i in raw} - {""}
        prepared = iter(prepare_items(raw, gazetteer, today, _known_hashes(session, source, ids), steps))
        items = [i if isinstance(i, Prepared) else next(prepared) for i in items]
    run = run or new_run(session, source)
    outcomes = _store_prepared(session, source, run, [i for i in items if isinstance(i, Prepared)], today,
                               store_expired)
    _count(run, outcomes)
    return outcomes


def _raw(item: RawItem | tuple[Any, RawItem]) -> RawItem:
    return item[1] if isinstance(item, tuple) else item


def _known_hashes(session: Session, source: Source, ids: set[str]) -> dict[str, str]:
    """Raw hashes of the stored sightings among ``ids`` (an unchanged item skips normalising)."""
    known: dict[str, str] = {}
    for chunk in _chunks(sorted(ids)):
        known.update({ext: raw for ext, raw in session.execute(
            select(PostingSource.external_id, PostingSource.raw_hash)
            .where(PostingSource.source_id == source.id, PostingSource.raw_hash.is_not(None),
                   PostingSource.external_id.in_(chunk)))})
    return known


def _store_prepared(session: Session, source: Source, run: IngestRun, items: list[Prepared], today: date,
                    store_expired: bool) -> list[ItemOutcome]:
    records = [p.record for p in items if p.record is not None]
    ids = {p.external_id for p in items if p.external_id}
    store = _BatchStore(session, source, records, today, only=ids if len(ids) <= ONLY_IDS else None)
    outcomes = [ItemOutcome(p.key, "", p.external_id, p.title) for p in items]
    for outcome, item in zip(outcomes, items, strict=True):
        if item.record is not None:
            outcome.title = item.record.title
            if item.record.expired and not store_expired and item.external_id not in store.known:
                outcome.outcome, outcome.expired = "expired", True
                continue
            outcome.outcome, outcome._posting = store.put(item.record)
            outcome.expired = item.record.expired and outcome.outcome != "unchanged"
            if outcome.expired and not store_expired:
                outcome.outcome = "expired"  # a known vacancy now past its date: taken down
        elif item.state == "unchanged":
            outcome.outcome = "unchanged"
            store.unchanged_as_delivered([item.external_id])
        elif item.rejection is not None:
            outcome.outcome, outcome.reason, outcome.detail = "quarantined", item.rejection.reason, \
                item.rejection.detail
            _quarantine(session, source, run, item.rejection)
        else:
            outcome.outcome = "duplicate"  # a repeat: filled with the kept version's posting below
    store.touch_unchanged()
    session.flush()
    _link(store, outcomes)
    return outcomes


def _link(store: _BatchStore, outcomes: list[ItemOutcome]) -> None:
    """Each outcome's posting id: the posting it stored or matched, its known sighting's, or for
    a repeat within the batch the id of the version that counted."""
    by_id: dict[str, int] = {}
    for o in outcomes:
        if o._posting is not None:
            o.posting_id = o._posting.id
        elif o.external_id in store.known and o.outcome != "duplicate":
            o.posting_id = store.known[o.external_id].posting_id
        if o.posting_id is not None and o.outcome != "duplicate":
            by_id[o.external_id] = o.posting_id
        o._posting = None
    kept = {o.external_id: o for o in outcomes if o.outcome != "duplicate"}
    for o in outcomes:
        if o.posting_id is None and o.outcome == "duplicate":
            o.posting_id = by_id.get(o.external_id)
            first = kept.get(o.external_id)
            if o.posting_id is None and first is not None:
                # The version that counted was not put up (past its date, refused): this repeat
                # was not either, and must not read as "merged" into a posting that is not there.
                o.outcome = "expired" if first.outcome == "expired" else "quarantined"
                o.reason = "" if o.outcome == "expired" else "repeated_row"


def _count(run: IngestRun, outcomes: list[ItemOutcome]) -> None:
    """Add the outcomes to the run's counts."""
    found = Counter(o.outcome for o in outcomes)
    run.fetched = (run.fetched or 0) + len(outcomes)
    run.new = (run.new or 0) + found["new"]
    run.updated = (run.updated or 0) + found["updated"]
    run.unchanged = (run.unchanged or 0) + found["unchanged"]
    run.duplicates = (run.duplicates or 0) + found["duplicate"]
    run.expired = (run.expired or 0) + sum(1 for o in outcomes if o.expired)
    rejected = Counter(dict(run.rejected or {}))
    rejected.update(o.reason for o in outcomes if o.outcome == "quarantined")
    run.rejected = dict(rejected)
    run.finished_at, run.status = utcnow(), run.status or "ok"


class _Known(NamedTuple):
    """What a batch needs of a stored sighting, read as a plain row (no ORM object)."""

    id: int
    posting_id: int
    content_hash: str
    raw_hash: str | None
    closed: bool
    updated_at: datetime | None


class _BatchStore:
    """Stores one batch with a handful of queries: stored sightings are read as plain rows,
    only changed ones become ORM objects, unchanged ones are touched with bulk UPDATEs."""

    def __init__(self, session: Session, source: Source, records: list[PostingRecord], today: date,
                 only: Collection[str] | None = None):
        """``only``: read just these external ids' sightings (a batch of a large import, which
        would otherwise read the whole source once per batch)."""
        self.session, self.source, self.today = session, source, today
        self.places = place_ids_by_code(session)
        query = (select(PostingSource.id, PostingSource.external_id, PostingSource.posting_id,
                        PostingSource.content_hash, PostingSource.raw_hash, PostingSource.item_updated_at,
                        Posting.status)
                 .join(Posting, Posting.id == PostingSource.posting_id)
                 .where(PostingSource.source_id == source.id))
        rows: list[Any] = []
        if only is None:
            rows = list(session.execute(query))
        else:
            for chunk in _chunks(sorted(only)):
                rows.extend(session.execute(query.where(PostingSource.external_id.in_(chunk))))
        self.known = {row.external_id: _Known(row.id, row.posting_id, row.content_hash, row.raw_hash,
                                              row.status == "closed", _aware(row.item_updated_at))
                      for row in rows}
        fresh = [r for r in records if r.external_id not in self.known]
        self.by_url = _load_in(session, Posting, Posting.canonical_url,
                               {r.canonical_url for r in fresh if r.canonical_url})
        # The same content already stored (a row repeated in a file, or uploaded before under
        # another row's id): one posting, one more sighting.
        self.by_hash = _load_in(session, Posting, Posting.content_hash, {r.content_hash for r in fresh})
        self.employers = _load_in(session, Employer, Employer.name,
                                  {r.employer for r in records if r.employer})
        self.unchanged: list[tuple[int, int]] = []
        self.raw_updates: list[dict[str, Any]] = []
        self.reopen: list[int] = []
        self.near = _NearDuplicates(session, source, fresh)

    def put(self, record: PostingRecord) -> tuple[str, Posting | None]:
        """Store one record; returns new, updated, unchanged or duplicate, and the posting
        (None for a known sighting: its id is already known)."""
        known = self.known.get(record.external_id)
        if known is not None:
            return self._known(known, record), None
        same = self.by_url.get(record.canonical_url) if record.canonical_url else None
        sketch = self.near.sketch(record)
        if same is None:
            same = self.by_hash.get(record.content_hash)
        if same is None:
            same = self.near.find(sketch)
        if same is not None:
            self._sight(same, record)
            if self._takes_over(same, record):
                # The most trusted source's fields win; it becomes the posting's own source.
                same.source, same.external_id = self.source, record.external_id
                self._apply(same, record)
            return "duplicate", same
        posting = Posting(source=self.source, external_id=record.external_id)
        self._apply(posting, record)
        self.session.add(posting)
        self._sight(posting, record)
        if record.canonical_url:
            self.by_url[record.canonical_url] = posting
        self.by_hash[record.content_hash] = posting
        self.near.add(posting, sketch)  # a later item of this batch may be the same job
        return "new", posting

    def _takes_over(self, posting: Posting, record: PostingRecord) -> bool:
        """Whether a new sighting's fields replace the posting's: its source is more trusted, or
        as trusted and the posting is no longer open while this listing is (a re-post)."""
        if posting.source_id == self.source.id:
            mine = theirs = 0
        else:
            mine = trust_rank(self.source.trust)
            theirs = trust_rank(posting.source.trust if posting.source else None)
        return mine < theirs or (mine == theirs and posting.status != "open" and not record.expired)

    def _known(self, known: _Known, record: PostingRecord) -> str:
        stale = (record.updated_at is not None and known.updated_at is not None
                 and record.updated_at < known.updated_at)
        if known.content_hash == record.content_hash or stale:  # an older version never overwrites
            if known.raw_hash != record.raw_hash and not stale:
                self.raw_updates.append({"id": known.id, "raw_hash": record.raw_hash})
            self._seen(known)
            return "unchanged"
        sighting = self.session.get(PostingSource, known.id)  # only changed rows become objects
        assert sighting is not None
        posting = sighting.posting
        sighting.last_seen = posting.last_seen = utcnow()
        sighting.content_hash, sighting.raw_hash = record.content_hash, record.raw_hash
        sighting.item_updated_at = record.updated_at
        if posting.source_id == self.source.id:  # another source's copy never overwrites
            self._apply(posting, record)
        elif known.closed:
            self.reopen.append(known.posting_id)
        return "updated"

    def _seen(self, known: _Known) -> None:
        self.unchanged.append((known.id, known.posting_id))
        if known.closed:
            self.reopen.append(known.posting_id)  # listed again after it had disappeared

    def unchanged_as_delivered(self, external_ids: list[str]) -> int:
        """Items the pipeline skipped because they arrived exactly as stored: seen again."""
        for external_id in external_ids:
            self._seen(self.known[external_id])
        return len(external_ids)

    def _sight(self, posting: Posting, record: PostingRecord) -> None:
        # One more channel: the matcher's trust signal moves (changed_at: web.changes).
        self.session.add(PostingSource(posting=posting, source_id=self.source.id,
                                       external_id=record.external_id, url=record.url,
                                       content_hash=record.content_hash, raw_hash=record.raw_hash,
                                       item_updated_at=record.updated_at))

    def _apply(self, posting: Posting, record: PostingRecord) -> None:
        values = asdict(record)
        for name in RECORD_FIELDS:
            setattr(posting, name, values[name])
        posting.place_id = self.places.get(record.place_code) if record.place_code else None
        posting.employer = self._employer(record.employer)
        posting.status = "expired" if record.expired else "open"

    def _employer(self, name: str | None) -> Employer | None:
        if not name:
            return None
        if name not in self.employers:
            self.employers[name] = Employer(name=name)
            self.session.add(self.employers[name])
        return self.employers[name]

    def touch_unchanged(self) -> None:
        """Mark unchanged sightings and their postings as seen now, in bulk; reopen postings
        that are listed again (expired instead if their date has passed)."""
        now = utcnow()
        self.session.flush()
        bulk = {"synchronize_session": False}
        for chunk in _chunks(self.unchanged):
            self.session.execute(update(PostingSource).where(PostingSource.id.in_([s for s, _ in chunk]))
                                 .values(last_seen=now).execution_options(**bulk))
            self.session.execute(update(Posting).where(Posting.id.in_([p for _, p in chunk]))
                                 .values(last_seen=now).execution_options(**bulk))
        if self.raw_updates:
            self.session.execute(update(PostingSource), self.raw_updates)
        for chunk in _chunks(self.reopen):
            closed = Posting.id.in_(chunk) & (Posting.status == "closed")
            past = Posting.valid_through.is_not(None) & (Posting.valid_through < self.today)
            self.session.execute(update(Posting).where(closed & past).values(status="expired")
                                 .execution_options(synchronize_session="fetch"))
            self.session.execute(update(Posting).where(closed).values(status="open")
                                 .execution_options(synchronize_session="fetch"))


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive UTC times: make them comparable with the items' aware ones."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _chunks(rows: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


@dataclass(frozen=True, slots=True)
class _Comparable:
    """A stored posting as the near-duplicate index reads it."""

    title: str
    description: str
    employer: str | None
    place_code: str | None
    place_text: str
    wage_min: int | None
    wage_max: int | None


class _NearDuplicates:
    """The same job stored before (by any source, this one's other external ids included) or
    earlier in this batch: MinHash/LSH candidates, each confirmed by ``jobs_ingest.dedupe.same_job``,
    over the open and expired postings in the places this batch brings (built only when it has
    unknown postings)."""

    def __init__(self, session: Session, source: Source, fresh: list[PostingRecord]):
        self.session, self.source = session, source
        self.codes = {r.place_code for r in fresh if r.place_code}
        self.wanted = bool(fresh)
        self._index: NearDuplicateIndex | None = None
        self._postings: dict[Hashable, Posting] = {}

    def _build(self) -> NearDuplicateIndex:
        index = NearDuplicateIndex()
        query = (select(Posting).join(Posting.place, isouter=True)
                 .where(Posting.status != "closed")
                 .where(or_(Place.code.in_(self.codes), Posting.place_id.is_(None)))
                 .options(joinedload(Posting.employer), joinedload(Posting.place),
                          joinedload(Posting.source), selectinload(Posting.sightings)))
        for posting in self.session.scalars(query).unique() if self.wanted else []:
            self._postings[posting.id] = posting
            index.add(posting.id, _Comparable(
                posting.title, posting.description, posting.employer.name if posting.employer else None,
                posting.place.code if posting.place else None, posting.place_text,
                posting.wage_min, posting.wage_max))
        return index

    def _ready(self) -> NearDuplicateIndex:
        if self._index is None:
            self._index = self._build()
        return self._index

    def sketch(self, record: PostingRecord) -> Sketch:
        """What finding and adding a record need, computed once."""
        return self._ready().sketch(record)

    def find(self, sketch: Sketch) -> Posting | None:
        """The stored or earlier posting that is the same job, if any."""
        keys = self._ready().find(sketch, one_source=self._listed_here, limit=1)
        return self._postings[keys[0]] if keys else None

    def _listed_here(self, key: Hashable) -> bool:
        """Whether this source listed the posting under another id (or earlier in this batch)."""
        posting = self._postings[key]
        return posting.source_id == self.source.id or any(
            s.source_id == self.source.id for s in posting.sightings)

    def add(self, posting: Posting, sketch: Sketch) -> None:
        """Index a posting this batch created (not flushed yet: keyed by its object)."""
        key = ("batch", len(self._postings))
        self._postings[key] = posting
        self._ready().add(key, sketch)


def _load_in(session: Session, model: Any, column: Any, keys: set[str]) -> dict[str, Any]:
    """Rows whose ``column`` is one of ``keys``, keyed by it (queried in chunks)."""
    found: dict[str, Any] = {}
    for chunk in _chunks(sorted(keys)):
        for row in session.scalars(select(model).where(column.in_(chunk))):
            found[getattr(row, column.key)] = row
    return found


def track_disappeared(session: Session, source: Source, listed: set[str]) -> int:
    """Count runs a sighting is missing; close a posting once all its sightings are gone for
    ``close_after_missed_runs`` (default 3) runs in a row; a listed sighting resets to 0."""
    limit = int((source.options or {}).get("close_after_missed_runs", DEFAULT_CLOSE_AFTER))
    session.flush()
    rows = session.execute(select(PostingSource.id, PostingSource.external_id, PostingSource.missed_runs)
                           .where(PostingSource.source_id == source.id)).all()
    fetch = {"synchronize_session": "fetch"}
    for chunk in _chunks([r.id for r in rows if r.external_id in listed and r.missed_runs]):
        session.execute(update(PostingSource).where(PostingSource.id.in_(chunk))
                        .values(missed_runs=0).execution_options(**fetch))
    for chunk in _chunks([r.id for r in rows if r.external_id not in listed]):
        session.execute(update(PostingSource).where(PostingSource.id.in_(chunk))
                        .values(missed_runs=PostingSource.missed_runs + 1).execution_options(**fetch))
    other = aliased(PostingSource)
    gone = select(PostingSource.posting_id).where(PostingSource.source_id == source.id,
                                                  PostingSource.missed_runs >= limit)
    still_listed = select(other.id).where(other.posting_id == Posting.id, other.missed_runs < limit).exists()
    result = session.execute(update(Posting).where(Posting.status == "open", Posting.id.in_(gone),
                                                   ~still_listed)
                             .values(status="closed").execution_options(**fetch))
    return int(getattr(result, "rowcount", 0) or 0)


def _quarantine(session: Session, source: Source, run: IngestRun, rejection: Rejection) -> None:
    """Keep the rejected item once per (source, raw content); a rerun only bumps its counter."""
    row = session.scalar(select(QuarantinedRecord).where(
        QuarantinedRecord.source_id == source.id, QuarantinedRecord.raw_hash == rejection.raw_hash))
    if row is None:
        session.add(QuarantinedRecord(
            # A hostile item's NUL would fail the whole run on PostgreSQL: controls are dropped.
            source_id=source.id, run_id=run.id,
            external_id=rejection.external_id and drop_unsafe(rejection.external_id),
            reason=rejection.reason, detail=drop_unsafe(rejection.detail),
            raw_excerpt=drop_unsafe(rejection.excerpt),
            raw_hash=rejection.raw_hash))
        return
    row.times_seen += 1
    row.last_seen = utcnow()
    row.run_id = run.id


def run_counts(run: IngestRun) -> dict[str, Any]:
    """The fixed per-source summary printed by ``flask ingest run``."""
    return {"source": run.source.name,
            "fetched": run.fetched, "new": run.new, "updated": run.updated,
            "unchanged": run.unchanged, "duplicates": run.duplicates, "expired": run.expired,
            "rejected": dict(run.rejected or {}), "errors": list(run.errors or [])}
