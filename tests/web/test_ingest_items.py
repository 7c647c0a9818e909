"""``ingest_items``, the one way postings are stored: an outcome per item, and updates win across
runs (a paged JSON API on a real local server: the newer version on a later page updates the
posting; an older version served later never overwrites it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from bench.local_api import MAPPING, LocalApi, demo_postings
from jobs_ingest.records import RawItem
from web.models import IngestRun, Posting, PostingSource
from web.services import ingest

TODAY = date(2026, 11, 28)


def _items() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    base = demo_postings(2)
    old = dict(base[0], company="更新测试第一厂", updatedAt="2026-11-20T10:00:00+08:00",
               salary="4000-5000元/月")
    new = dict(old, updatedAt="2026-11-26T10:00:00+08:00", salary="6000-7000元/月")
    other = dict(base[1], company="更新测试第二厂")
    return old, new, other


def _source(session: Any, name: str, url: str) -> Any:
    return ingest.upsert_source(session, {"name": name, "kind": "api", "url": url, "trust": "employer",
                                          "allow_private_network": True,
                                          "mapping": dict(MAPPING, updated="updatedAt")})


def _wages(session: Any, external_id: Any) -> tuple[int | None, int | None]:
    posting = session.scalar(select(Posting).where(Posting.external_id == str(external_id)))
    return posting.wage_min, posting.wage_max


def test_newer_version_on_a_later_page_wins_and_an_older_one_never_overwrites(db_session: Any,
                                                                               runtime: Any) -> None:
    old, new, other = _items()
    with LocalApi([old, other, new], page_size=2) as api:  # the newer version on page 2
        source = _source(db_session, "upd-pages", api.url)
        first = ingest.run_source(db_session, source, runtime.gazetteer, TODAY)
        assert (first.new, first.duplicates, first.errors) == (2, 1, [])
        assert _wages(db_session, old["id"]) == (6000, 7000)
        api.postings[:] = [old, other]  # later the source serves the older version only
        second = ingest.run_source(db_session, source, runtime.gazetteer, TODAY)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 2)
    assert _wages(db_session, old["id"]) == (6000, 7000)
    sighting = db_session.scalar(select(PostingSource).where(PostingSource.external_id == str(old["id"])))
    assert sighting.item_updated_at is not None and sighting.item_updated_at.day == 26


def test_the_reverse_order_gives_the_same_posting(db_session: Any, runtime: Any) -> None:
    old, new, other = _items()
    with LocalApi([new, other, old], page_size=2) as api:  # the newer version first, the older on page 2
        source = _source(db_session, "upd-reverse", api.url)
        ingest.run_source(db_session, source, runtime.gazetteer, TODAY)
        assert _wages(db_session, old["id"]) == (6000, 7000)
        newer = dict(new, updatedAt="2026-11-27T10:00:00+08:00", salary="7000-8000元/月")
        api.postings[:] = [other, newer]
        run = ingest.run_source(db_session, source, runtime.gazetteer, TODAY)
    assert run.updated == 1 and _wages(db_session, old["id"]) == (7000, 8000)


def test_an_outcome_per_item_in_order(db_session: Any, runtime: Any) -> None:
    source = ingest.upsert_source(db_session, {"name": "outcomes", "kind": "manual", "trust": "bureau"})

    def raw(key: str, **fields: Any) -> RawItem:
        base = {"external_id": key, "title": "果园采摘工", "employer": "结果测试果园",
                "place_text": "榕江县古州镇", "pay_text": "150元/天"}
        return RawItem(fields={**base, **fields}, excerpt=key)

    items = [(1, raw("a")), (2, raw("a")), (3, raw("b")), (4, raw("c", title="")),
             (5, raw("d", title="过期的岗位", valid_through_text="2026-01-01")), (6, raw("e", title="=1+1"))]
    outcomes = ingest.ingest_items(db_session, source, items, today=TODAY, gazetteer=runtime.gazetteer,
                                   store_expired=False)
    assert [(o.key, o.outcome, o.reason) for o in outcomes] == [
        (1, "new", ""), (2, "duplicate", ""), (3, "duplicate", ""), (4, "quarantined", "missing_title"),
        (5, "expired", ""), (6, "quarantined", "formula")]
    assert outcomes[0].posting_id == outcomes[1].posting_id == outcomes[2].posting_id is not None
    assert outcomes[4].posting_id is None
    run = db_session.scalar(select(IngestRun).where(IngestRun.source_id == source.id))
    assert (run.fetched, run.new, run.duplicates, run.expired) == (6, 1, 2, 1)
    assert run.rejected == {"missing_title": 1, "formula": 1}
    again = ingest.ingest_items(db_session, source, [raw("a"), raw("b")], today=TODAY,
                                gazetteer=runtime.gazetteer)
    assert [o.outcome for o in again] == ["unchanged", "unchanged"]
