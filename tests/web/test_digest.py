"""The daily digest: new matches once a day per consented seeker, recorded as a Notification."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update

from tests.web.test_seeker_pages import make_user, make_worker
from web.models import Notification, Posting, PostingMark, User
from web.services.digest import send_daily_digests
from web.services.notify import LogSender, NotifyError
from web.services.seekers import worker_query

TODAY = date(2026, 11, 28)


def _fresh_postings(session):
    """Every posting was seen long ago, except those set new by the test."""
    session.execute(update(Posting).values(first_seen=datetime.now(UTC) - timedelta(days=30)))


def test_sends_once_a_day_and_records_it(app, db_session, runtime):
    user = make_user(db_session)
    worker = make_worker(db_session, runtime, user)
    other = make_user(db_session, "13800000003")  # a profile-less seeker gets nothing
    unconsented = make_user(db_session, "13800000004", consent=False)
    make_worker(db_session, runtime, unconsented)
    user_id, quiet = user.id, [other.id, unconsented.id]  # plain values outlive the session
    db_session.get(User, user.id).last_seen_matches_at = datetime.now(UTC) - timedelta(days=1)
    _fresh_postings(db_session)
    ranked = runtime.matcher(db_session).rank(worker_query(worker), limit=5)
    new_ids = [int(m.posting.id) for m in ranked[:3]]
    db_session.execute(update(Posting).where(Posting.id.in_(new_ids)).values(first_seen=datetime.now(UTC)))
    db_session.add(PostingMark(worker_id=worker.id, posting_id=new_ids[2], kind="dismissed"))
    db_session.commit()
    sender = LogSender()
    with app.app_context():
        assert send_daily_digests(db_session, runtime, sender, TODAY) == 1
        db_session.commit()  # the job's one commit (a savepoint here)
        assert send_daily_digests(db_session, runtime, sender, TODAY) == 0  # a rerun the same day
    assert len(sender.outbox) == 1
    message = sender.outbox[0]
    assert message.phone == "13800000001" and message.template == "daily_digest"
    assert message.params["count"] == 2 and "有2个新岗位适合你" in message.text
    notes = db_session.scalars(select(Notification).where(Notification.user_id == user_id)).all()
    assert [(n.kind, n.dedupe_key, n.channel) for n in notes] == [("daily_digest", "2026-11-28", "log")]
    assert sorted(notes[0].payload["posting_ids"]) == sorted(new_ids[:2])
    assert db_session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id.in_(quiet))) == 0
    # the next day: nothing new since that digest, so nothing is sent
    with app.app_context():
        assert send_daily_digests(db_session, runtime, sender, TODAY + timedelta(days=1)) == 0


def test_nothing_new_sends_nothing(app, db_session, runtime):
    user = make_user(db_session)
    make_worker(db_session, runtime, user)
    _fresh_postings(db_session)
    sender = LogSender()
    with app.app_context():
        assert send_daily_digests(db_session, runtime, sender, TODAY) == 0
    assert not sender.outbox and db_session.scalar(select(func.count(Notification.id))) == 0


class Refusing:
    channel = "sms"

    def send(self, phone, template, params):
        raise NotifyError("gateway down")


def test_a_refused_message_is_not_recorded_so_a_rerun_retries(app, db_session, runtime):
    user = make_user(db_session)
    make_worker(db_session, runtime, user)
    db_session.execute(update(Posting).values(first_seen=datetime.now(UTC) + timedelta(minutes=1)))
    with app.app_context():
        assert send_daily_digests(db_session, runtime, Refusing(), TODAY) == 0
        assert db_session.scalar(select(func.count(Notification.id))) == 0
        sender = LogSender()
        assert send_daily_digests(db_session, runtime, sender, TODAY) == 1
        db_session.commit()
    assert len(sender.outbox) == 1
    assert db_session.scalar(select(func.count(Notification.id))) == 1


def test_the_scheduler_has_the_daily_digest_job(app):
    from web.scheduler import build_scheduler

    jobs = {job.id: job for job in build_scheduler(app).get_jobs()}
    assert "daily-digest" in jobs
    assert jobs["daily-digest"].max_instances == 1 and jobs["daily-digest"].coalesce


def test_the_scheduler_drops_the_index_after_the_digest(app, db_session, runtime, monkeypatch):
    """The digest is the scheduler's only use of the index: it is not kept (nor refreshed) after."""
    from web.scheduler import _digest_job
    from web.services.runtime import Runtime

    # the in-process index (the postgres backend keeps no copy anywhere: test_pg_index.py)
    own = Runtime({**app.config, "JIUJIN_INDEX_REFRESH_SECONDS": 3600, "JIUJIN_MATCH_INDEX": "in-process"})
    own._embedder = runtime.embedder()
    user = make_user(db_session)
    make_worker(db_session, runtime, user)
    _fresh_postings(db_session)
    built = []
    monkeypatch.setattr(own, "matcher", lambda s, real=own.matcher: built.append(1) or real(s))
    with app.app_context():
        _digest_job(app)(db_session, own)
    assert built and not own.is_warm() and own.indexed() == 0
    assert own._refresher is not None
    own._refresher[1].join(10)
    assert not own.refresher_alive()
