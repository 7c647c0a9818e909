"""The in-process match index follows Posting.changed_at: postings that arrive, change, close or
expire reach the index without a full rebuild; a mere sighting changes nothing. (The postgres
backend's index changes in the same commit: test_pg_index.py.)"""

import logging
import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from bench.local_api import MAPPING, LocalApi
from web.models import Posting
from web.services import embeddings, index, ingest, lifecycle
from web.services import runtime as runtime_module
from web.services.runtime import ReadWriteLock, Runtime

TODAY = date(2026, 11, 28)
BEES = {"q": "养蜂采蜜，会照看蜂箱", "place": "贵州省黔东南州榕江县", "km": "50", "limit": "50"}


def item(n, title, description, deadline="2027-01-01"):
    """A posting of our own near 榕江 (its own employer, so it is no copy of a demo posting)."""
    return {"id": f"INC-{n}", "title": title, "company": f"增量索引第{n}号测试用人单位",
            "description": description, "area": "黔东南州榕江县古州镇", "salary": "4000-5000元/月",
            "welfare": "包住", "job_type": "全职", "count": "招2名", "publish_date": "2026-11-25",
            "deadline": deadline, "url": f"https://inc.example/jobs/{n}"}


BEEKEEPER = item(1, "养蜂工", "照看蜂箱，采蜜，分蜂。会养蜂的优先。")
PORTER = item(2, "仓库搬运工", "装卸货物，整理仓库。")


@pytest.fixture
def fresh(app, runtime, monkeypatch):
    """A runtime of its own (the shared one must not keep what these tests roll back), with
    the model already loaded; ``fresh.builds`` counts full builds."""
    new = Runtime(app.config)
    new._embedder = runtime.embedder()
    new.builds = []
    new.match_index = "in-process"  # these tests are about this process's own copy of the index
    real = index.build_matcher
    monkeypatch.setattr(index, "build_matcher", lambda s, e: new.builds.append(1) or real(s, e))
    monkeypatch.setitem(app.extensions, "jiujin", new)
    yield new
    new.invalidate()  # stops its background refresher, if a test started one


def matches(client, **params):
    """(id, title) of the matches; each request ends its session, so callers commit first."""
    body = client.get("/api/v1/matches", query_string={**BEES, **params}).get_json()
    return [(m["id"], m["title"]) for m in body["matches"]]


def own_id(session, external_id):
    return session.scalar(select(Posting.id).where(Posting.external_id == external_id))


def api_source(session, url, **options):
    return ingest.upsert_source(session, {"name": "inc-api", "kind": "api", "url": url, "trust": "bureau",
                                          "allow_private_network": True, "mapping": MAPPING, **options})


def test_fresh_start_builds_from_the_database_once(fresh, db_session):
    matcher = fresh.matcher(db_session)
    open_count = len(db_session.scalars(select(Posting.id).where(Posting.status == "open")).all())
    assert matcher.size == open_count > 300
    assert fresh.matcher(db_session).size == open_count
    assert len(fresh.builds) == 1


def test_new_posting_shows_up_without_a_rebuild(fresh, client, db_session):
    before = matches(client)
    assert len(fresh.builds) == 1
    with LocalApi([BEEKEEPER]) as api:
        api_source(db_session, api.url)
        run = lifecycle.run_named_source(db_session, fresh, "inc-api", TODAY)
        db_session.commit()
    assert run.new == 1
    after = matches(client)
    bee = own_id(db_session, "INC-1")
    assert bee not in {i for i, _ in before}
    assert after[0] == (bee, "养蜂工")
    assert len(fresh.builds) == 1


def test_closed_and_expired_postings_disappear(fresh, client, db_session):
    items = [BEEKEEPER, item(3, "蜂场帮工", "帮忙照看蜂箱和采蜜。", deadline="2026-12-05")]
    with LocalApi(items) as api:
        api_source(db_session, api.url, close_after_missed_runs=1)
        lifecycle.run_named_source(db_session, fresh, "inc-api", TODAY)
        db_session.commit()
        shown = {i for i, _ in matches(client)}
        bee, helper = own_id(db_session, "INC-1"), own_id(db_session, "INC-3")
        assert {bee, helper} <= shown
        api.postings[:] = items[1:]  # the source no longer lists the beekeeper: closed
        lifecycle.run_named_source(db_session, fresh, "inc-api", TODAY)
        db_session.commit()
    assert db_session.get(Posting, bee).status == "closed"
    shown = {i for i, _ in matches(client)}
    assert bee not in shown and helper in shown
    assert lifecycle.expire_postings(db_session, date(2026, 12, 10)) > 0  # expired in SQL
    db_session.commit()
    shown = {i for i, _ in matches(client)}
    assert helper not in shown and shown
    valid = db_session.scalars(select(Posting.valid_through).where(Posting.id.in_(shown))).all()
    assert all(v is None or v >= date(2026, 12, 10) for v in valid)
    assert len(fresh.builds) == 1


def test_updated_title_changes_the_ranking(fresh, client, db_session):
    with LocalApi([BEEKEEPER, PORTER]) as api:
        api_source(db_session, api.url)
        lifecycle.run_named_source(db_session, fresh, "inc-api", TODAY)
        db_session.commit()
        porter = own_id(db_session, "INC-2")
        ranked = [i for i, _ in matches(client, limit=50)]
        place = ranked.index(porter) if porter in ranked else len(ranked)
        api.postings[1] = dict(PORTER, title="养蜂采蜜工", description="照看蜂箱，采蜜。会养蜂的优先。")
        run = lifecycle.run_named_source(db_session, fresh, "inc-api", TODAY)
        db_session.commit()
    assert run.updated == 1
    after = matches(client, limit=50)
    assert (porter, "养蜂采蜜工") in after
    assert [i for i, _ in after].index(porter) < min(place, 2)
    assert len(fresh.builds) == 1


def test_a_new_channel_for_a_known_posting_reaches_the_index(fresh, client, db_session):
    """A second source listing the same job (same address) is a sighting, not a new posting; the
    index learns it without a rebuild: the reason says "另见1个渠道"."""
    with LocalApi([BEEKEEPER]) as api, LocalApi([dict(BEEKEEPER, id="OTHER-1")]) as other:
        api_source(db_session, api.url)
        lifecycle.run_named_source(db_session, fresh, "inc-api", TODAY)
        db_session.commit()
        bee = own_id(db_session, "INC-1")
        first = client.get("/api/v1/matches", query_string=BEES).get_json()["matches"][0]
        assert first["id"] == bee and "另见" not in first["reason"]
        ingest.upsert_source(db_session, {"name": "inc-other", "kind": "api", "url": other.url,
                                          "trust": "aggregator", "allow_private_network": True,
                                          "mapping": MAPPING})
        run = lifecycle.run_named_source(db_session, fresh, "inc-other", TODAY)
        db_session.commit()
    assert run.duplicates == 1
    again = client.get("/api/v1/matches", query_string=BEES).get_json()["matches"][0]
    assert again["id"] == bee and "另见1个渠道" in again["reason"]
    assert len(fresh.builds) == 1


def test_touching_last_seen_alone_changes_nothing(fresh, client, db_session):
    with LocalApi([BEEKEEPER]) as api:
        api_source(db_session, api.url)
        lifecycle.run_named_source(db_session, fresh, "inc-api", TODAY)
        db_session.commit()
        matches(client)
        bee = db_session.get(Posting, own_id(db_session, "INC-1"))
        changed, seen = bee.changed_at, bee.last_seen
        time.sleep(0.01)
        run = lifecycle.run_named_source(db_session, fresh, "inc-api", TODAY)
        db_session.commit()
    assert run.unchanged == 1
    db_session.expire_all()
    bee = db_session.get(Posting, bee.id)
    assert bee.last_seen > seen and bee.changed_at == changed
    live = fresh._live
    pending = live.read(db_session, fresh.embedder().model_id)
    assert (pending.docs, pending.removed, pending.seen) == ([], [], {})
    assert len(fresh.builds) == 1


def test_posting_without_its_vector_waits_for_it(fresh, client, db_session):
    matches(client)
    with LocalApi([BEEKEEPER]) as api:
        source = api_source(db_session, api.url)
        ingest.run_source(db_session, source, fresh.gazetteer, TODAY)  # stored, not yet embedded
        db_session.commit()
    bee = own_id(db_session, "INC-1")
    assert bee not in {i for i, _ in matches(client)}
    assert embeddings.embed_pending(db_session, fresh.embedder()) == 1
    db_session.commit()
    assert matches(client)[0][0] == bee
    assert len(fresh.builds) == 1


def test_change_stamped_before_the_mark_is_still_seen(fresh, client, db_session):
    """A transaction that commits after a later one was read: its older changed_at still counts."""
    matches(client)
    with LocalApi([BEEKEEPER]) as api:
        api_source(db_session, api.url)
        lifecycle.run_named_source(db_session, fresh, "inc-api", TODAY)
        db_session.commit()
    bee = own_id(db_session, "INC-1")
    mark = fresh._live.mark
    db_session.execute(update(Posting).where(Posting.id == bee)
                       .values(changed_at=mark - index.SETTLE / 2))
    db_session.commit()
    assert matches(client)[0][0] == bee
    assert len(fresh.builds) == 1


def test_failed_refresh_is_logged_and_rebuilds(fresh, client, db_session, monkeypatch, caplog):
    matches(client)

    def broken(self, session, model_id):
        raise RuntimeError("boom")

    monkeypatch.setattr(index.LiveIndex, "read", broken)
    monkeypatch.setattr(runtime_module.log, "disabled", False)  # Alembic's fileConfig turned it off
    with caplog.at_level(logging.ERROR, logger="web.services.runtime"):
        assert matches(client)
    assert "incremental index refresh failed" in caplog.text
    assert len(fresh.builds) == 2


def test_index_checks_for_changes_at_most_every_refresh_seconds(fresh, client, db_session):
    fresh.refresh_seconds = 3600
    matches(client)
    db_session.execute(update(Posting).where(Posting.status == "open")
                       .values(status="closed", changed_at=index.SETTLE + fresh._live.mark))
    db_session.commit()
    assert matches(client)  # the check is not due yet: the index is as it was
    fresh.refresh_seconds = 0
    assert matches(client) == []
    assert len(fresh.builds) == 1


def test_the_background_refresher_applies_changes_and_a_request_never_refreshes(fresh, client, db_session):
    """With a refresh interval, the first query builds the index and starts the process's
    refresher thread; later queries read the index as that thread last left it."""
    fresh.refresh_seconds = 3600  # the thread runs only when woken below
    before = matches(client)
    assert before and fresh.refresher_alive()
    db_session.execute(update(Posting).where(Posting.status == "open")
                       .values(status="closed", changed_at=index.SETTLE + fresh._live.mark))
    db_session.commit()
    assert matches(client) == before  # the request did not refresh
    done = fresh.refreshes
    fresh.refresh_soon()
    assert fresh.wait_refreshed(done, 60)
    assert matches(client) == []
    assert len(fresh.builds) == 1


def test_the_refresher_stops_when_the_index_is_dropped(fresh, client, db_session):
    fresh.refresh_seconds = 3600
    assert matches(client)
    thread = fresh._refresher[1]
    fresh.invalidate()
    thread.join(10)
    assert not thread.is_alive() and not fresh.refresher_alive() and not fresh.is_warm()
    assert matches(client) and fresh.refresher_alive()  # the next query builds and starts one again
    assert len(fresh.builds) == 2


def test_warming_starts_no_refresher(app, fresh):
    """gunicorn's master warms before it forks: a thread started there would not reach the workers."""
    from web.services.runtime import warm

    fresh.refresh_seconds = 3600
    warm(app)
    assert fresh.is_warm() and not fresh.refresher_alive()


def test_a_refresh_waits_for_queries_in_flight():
    lock, order = ReadWriteLock(), []

    def write():
        with lock.writing():
            order.append("write")

    with lock.reading():
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.05)
        order.append("read done")
    writer.join(2)
    assert order == ["read done", "write"]


def test_expiry_after_the_build_reaches_the_index_without_a_rebuild(fresh, db_session):
    size = fresh.matcher(db_session).size
    expired = lifecycle.expire_postings(db_session, TODAY + timedelta(days=30))
    assert expired > 0 and fresh.matcher(db_session).size == size - expired
    assert len(fresh.builds) == 1
