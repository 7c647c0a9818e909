"""A database that cannot be reached is a 503 with Retry-After in plain words (JSON under /api),
never a 500; a read whose connection dropped is retried once; /healthz is cheap and says
"starting" until the process is warm."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from web import create_app
from web.extensions import db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def _app(url: str, model_path: Any, tmp_path: Any, **extra: Any) -> Any:
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "JIUJIN_MODEL_PATH": model_path,
                       "JIUJIN_SCHEDULER_LOCK": tmp_path / "scheduler.lock",
                       "JIUJIN_INDEX_REFRESH_SECONDS": 0, **extra})


@pytest.fixture
def down(model_path: Any, tmp_path: Any) -> Iterator[Any]:
    """The app pointed at a PostgreSQL port where nothing listens."""
    app = _app(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/jiujin", model_path, tmp_path)
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/jobs/1", "/search?q=会电焊&place=榕江县", "/jobs/near?place=榕江县",
                                  "/me/matches", "/bureau/", "/login"])
def test_pages_answer_503_with_retry_after_in_plain_words(down: Any, path: str) -> None:
    with down.session_transaction() as session:
        session["_user_id"] = "1:0"  # signed in: even loading the user needs the database
    response = down.get(path)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "网站暂时连不上数据库，请过一会儿再试。" in page and "请等半分钟再试一次。" in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    english = down.get(path + ("&" if "?" in path else "?") + "lang=en").get_data(as_text=True)
    assert "The site cannot reach its database right now" in english


API_CALLS = [("GET", "/api/v1/jobs/near?place=榕江县"), ("GET", "/api/v1/matches?q=焊工&place=榕江县"),
             ("POST", "/api/v1/jobs/1/reports"), ("GET", "/api/v1/me/profile")]


@pytest.mark.parametrize(("method", "path"), API_CALLS)
def test_the_api_answers_503_json(down: Any, method: str, path: str) -> None:
    response = down.open(path, method=method, json={"reason": "fees"} if method == "POST" else None,
                         headers={"Authorization": "Bearer some-token"})
    # At least 30 s; a rate-limited endpoint may say later (Flask-Limiter keeps the larger of the two).
    assert response.status_code == 503 and int(response.headers["Retry-After"]) >= 30
    assert response.get_json() == {"message": "网站暂时连不上数据库，请过一会儿再试。",
                                   "detail": {"retry_after": 30}}


def test_the_unavailable_page_reads_nothing_from_the_database(down: Any) -> None:
    assert down.get("/static/site.css").status_code == 200  # the page's one stylesheet still loads


@pytest.fixture(scope="module")
def flaky(app: Any, database_url: str, model_path: Any, tmp_path_factory: Any) -> Any:
    """A second app on the test database with a route whose first tries lose their connection."""
    flaky_app = _app(database_url, model_path, tmp_path_factory.mktemp("flaky"), WTF_CSRF_ENABLED=False)
    calls: list[str] = []
    plan: dict[str, int] = {"drops": 1, "invalidated": True}

    @flaky_app.route("/_flaky", methods=["GET", "POST", "HEAD"])
    def flaky_view() -> str:
        calls.append("call")
        count = db.session.scalar(sa.text("SELECT 1"))
        if len(calls) <= plan["drops"]:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"),
                                   connection_invalidated=plan["invalidated"])
        return f"answered after {len(calls)} tries ({count})"

    @flaky_app.route("/_terminate")
    def terminate_self() -> str:
        calls.append("terminate")
        if len(calls) == 1:
            db.session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return str(db.session.scalar(sa.text("SELECT count(*) FROM postings")))

    flaky_app.calls, flaky_app.plan = calls, plan
    yield flaky_app
    with flaky_app.app_context():
        db.engine.dispose()


def _call(flaky: Any, method: str, path: str = "/_flaky", drops: int = 1, invalidated: bool = True) -> Any:
    flaky.calls.clear()
    flaky.plan.update(drops=drops, invalidated=invalidated)
    return flaky.test_client().open(path, method=method)


def test_a_read_whose_connection_dropped_is_retried_once(flaky: Any) -> None:
    response = _call(flaky, "GET")
    assert response.status_code == 200 and response.get_data(as_text=True) == "answered after 2 tries (1)"
    assert _call(flaky, "HEAD").status_code == 200 and len(flaky.calls) == 2


def test_a_write_is_never_retried(flaky: Any) -> None:
    response = _call(flaky, "POST")
    assert response.status_code == 503 and len(flaky.calls) == 1


def test_a_read_is_retried_only_once(flaky: Any) -> None:
    response = _call(flaky, "GET", drops=5)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30" and len(flaky.calls) == 2


def test_a_database_that_refuses_is_not_retried(flaky: Any) -> None:
    response = _call(flaky, "GET", invalidated=False)  # e.g. "connection refused": retrying cannot help
    assert response.status_code == 503 and len(flaky.calls) == 1


def test_a_terminated_backend_is_retried_on_a_new_connection(flaky: Any, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    response = _call(flaky, "GET", path="/_terminate")
    assert response.status_code == 200 and int(response.get_data(as_text=True)) > 300
    assert flaky.calls == ["terminate", "terminate"]


# --- /healthz


def test_health_check_is_cheap_once_warm(app: Any, client: Any, db_session: Any, runtime: Any) -> None:
    runtime.matcher(db_session)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get("/healthz")
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "indexed_postings": runtime.indexed()}
    assert runtime.indexed() > 300
    assert [s for s in statements if "count" in s.lower() or "postings" in s.lower()] == []


def test_health_check_says_starting_until_the_process_is_warm(app: Any, database_url: str, model_path: Any,
                                                              tmp_path: Any) -> None:
    cold = _app(database_url, model_path, tmp_path)
    client = cold.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "starting"}
    assert response.headers["Retry-After"] == "5"
    deadline = time.monotonic() + 120  # the first answer started the warm-up in the background
    while client.get("/healthz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert client.get("/healthz").get_json()["indexed_postings"] > 300
    with cold.app_context():
        db.engine.dispose()


def test_health_check_reports_a_database_that_went_away(down: Any) -> None:
    down.application.extensions["jiujin"].is_warm = lambda: True  # as if warm, then the database left
    response = down.get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "error"
