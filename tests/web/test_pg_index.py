"""The postgres match index (web/services/pgindex.py): the same rankings as the in-process index,
and it changes in the same commit as the postings. Runs where the test database has pgvector
(.ci/run starts one); skipped elsewhere."""

from datetime import date

import numpy as np
import pytest
from sqlalchemy import select, text, update

from matching.shortlist import ShortlistMatcher
from matching.types import Query, WorkerDoc
from web.models import Posting
from web.services import index, pgindex
from web.services.pgindex import PgStore

TODAY = date(2026, 11, 28)
RONGJIANG = (25.93, 108.52)
QUERIES = [
    Query("会电焊，干过工地", *RONGJIANG, max_km=50, today=TODAY),
    Query("做饭 炒菜 食堂", *RONGJIANG, max_km=30, wage_expectation=4000, today=TODAY),
    Query("缝纫机 服装厂", *RONGJIANG, max_km=80, will_relocate=True, today=TODAY),
    Query("I can drive a forklift and load trucks", *RONGJIANG, max_km=100, today=TODAY),
    Query("采茶 摘果 季节工", *RONGJIANG, max_km=60, unavailable_months=(5, 6), today=TODAY),
    Query("保洁 打扫卫生", today=TODAY),
]


@pytest.fixture
def pg(db_session):
    if not pgindex.enabled(db_session):
        pytest.skip("the test database has no pgvector match tables")
    return db_session


def both(session, runtime):
    """The in-process matcher over the same open postings, and the postgres one."""
    embedder = runtime.embedder()
    pgindex.refresh_lexicon(session)  # the stored norms against today's document frequencies
    inproc = index.build_matcher(session, embedder)
    return inproc, ShortlistMatcher(embedder, PgStore(session, embedder.model_id))


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.text[:8])
def test_postgres_ranks_as_the_in_process_index_does(pg, runtime, query):
    inproc, shortlist = both(pg, runtime)
    want, got = inproc.rank(query, limit=10), shortlist.rank(query, limit=10)
    assert want, "the demo data has matches for this query"
    assert [m.posting.id for m in got] == [m.posting.id for m in want]
    # halfvec stores the vectors in 16 bits: cosines differ in the fourth decimal
    assert np.allclose([m.score for m in got], [m.score for m in want], atol=2e-3)
    assert [m.distance_km for m in got] == [m.distance_km for m in want]
    assert [m.matched_terms for m in got] == [m.matched_terms for m in want]
    assert [m.reason for m in got] == [m.reason for m in want]


def test_reach_and_reverse_ranking_agree(pg, runtime):
    inproc, shortlist = both(pg, runtime)
    for query in QUERIES[:3]:
        a, b = inproc.reach(query), shortlist.reach(query)
        assert (a.count, a.housed, a.first_occupations) == (b.count, b.housed, b.first_occupations)
        assert a.count > 0
    vacancy = inproc.rank(QUERIES[0], limit=1)[0].posting
    workers = [WorkerDoc(i, text, *RONGJIANG, max_commute_km=60) for i, text in
               enumerate(["电焊工，会氩弧焊", "会做饭", "开叉车", "welder with ten years on sites"])]
    want = inproc.rank_workers(vacancy, workers, today=TODAY)
    got = shortlist.rank_workers(vacancy, workers, today=TODAY)
    assert [w.worker.id for w in got] == [w.worker.id for w in want]
    assert np.allclose([w.score for w in got], [w.score for w in want], atol=2e-3)


def rows_of(session, ids):
    return set(session.scalars(text("SELECT posting_id FROM match_rows WHERE posting_id = ANY(:ids)"),
                               {"ids": list(ids)}))


def test_the_index_changes_in_the_same_commit(pg, runtime):
    embedder = runtime.embedder()
    shortlist = ShortlistMatcher(embedder, PgStore(pg, embedder.model_id))
    query = QUERIES[0]
    top = shortlist.rank(query, limit=3)
    first = top[0].posting.id
    # a bulk close (as expiry does) leaves the index in the same commit
    pg.execute(update(Posting).where(Posting.id == first).values(status="closed"))
    pg.commit()
    assert first not in {m.posting.id for m in shortlist.rank(query, limit=20)}
    assert not rows_of(pg, [first])
    # reopened by object: back at once, with the title it now has
    posting = pg.get(Posting, first)
    posting.status = "open"
    pg.commit()
    assert rows_of(pg, [first]) == {first}
    n = pgindex.read_lexicon(pg).n
    assert n == pg.scalar(text("SELECT count(*) FROM match_rows"))


def test_a_changed_title_waits_for_its_vector_then_counts(pg, runtime):
    from web.services import embeddings

    embedder = runtime.embedder()
    shortlist = ShortlistMatcher(embedder, PgStore(pg, embedder.model_id))
    posting = pg.scalars(select(Posting).where(Posting.status == "open").order_by(Posting.id)).first()
    posting.title = "养蜂工"
    posting.description = "照看蜂箱，采蜜，分蜂。会养蜂的优先。"
    posting.content_hash = "changed-" + posting.content_hash[:50]
    pg.commit()
    assert not rows_of(pg, [posting.id])  # its vector is for the old text: not matchable on it
    embeddings.embed_pending(pg, embedder)
    pg.commit()
    bees = Query("养蜂 采蜜", lat=posting.lat, lon=posting.lon, max_km=30, today=TODAY)
    found = shortlist.rank(bees, limit=3)
    assert found and found[0].posting.id == posting.id and found[0].posting.title == "养蜂工"


def test_a_rolled_back_change_leaves_the_index_alone(pg, runtime):
    before = pg.scalar(text("SELECT count(*) FROM match_rows"))
    nested = pg.begin_nested()
    pg.execute(update(Posting).where(Posting.status == "open").values(status="closed"))
    nested.rollback()
    pg.commit()
    assert pg.scalar(text("SELECT count(*) FROM match_rows")) == before


def test_the_site_uses_the_postgres_backend(pg, app, client, runtime):
    from web.scheduler import _digest_job

    assert runtime.backend(pg) == "postgres"
    body = client.get("/api/v1/matches", query_string={"q": "电焊", "place": "贵州省黔东南州榕江县",
                                                        "km": "50"}).get_json()
    assert body["matches"]
    with app.app_context():
        _digest_job(app)(pg, runtime)
    assert runtime._live is None  # no process holds a copy of the index: not the site, not the scheduler


def test_the_backend_is_chosen_by_configuration(app, db_session, monkeypatch):
    from web.config import Settings
    from web.services.runtime import Runtime

    monkeypatch.setenv("JIUJIN_MATCH_INDEX", "pgvector")
    with pytest.raises(RuntimeError, match="JIUJIN_MATCH_INDEX must be one of auto, in-process, postgres"):
        Settings.from_env()
    monkeypatch.setenv("JIUJIN_MATCH_INDEX", "in-process")
    assert Settings.from_env().match_index == "in-process"
    has_tables = pgindex.enabled(db_session)
    assert Runtime({**app.config, "JIUJIN_MATCH_INDEX": "in-process"}).backend(db_session) == "in-process"
    auto = Runtime({**app.config, "JIUJIN_MATCH_INDEX": "auto"}).backend(db_session)
    assert auto == ("postgres" if has_tables else "in-process")
    forced = Runtime({**app.config, "JIUJIN_MATCH_INDEX": "postgres"})
    if has_tables:
        assert forced.backend(db_session) == "postgres"
    else:  # SQLite, or PostgreSQL without pgvector: refused with the way out, not a silent fallback
        with pytest.raises(RuntimeError, match="needs PostgreSQL with the pgvector extension"):
            forced.backend(db_session)


def test_index_commands_refuse_a_database_without_the_tables(app, db_session):
    result = app.test_cli_runner().invoke(args=["index", "refresh"])
    if pgindex.enabled(db_session):
        assert result.exit_code == 0 and "rows counted:" in result.output
    else:
        assert result.exit_code != 0 and "no match tables" in result.output
