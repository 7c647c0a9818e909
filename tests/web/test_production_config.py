"""Production cannot be configured wrong silently, and its logs hold no personal data or secrets."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.web.staff import token_in
from web.config import Settings

GOOD_SECRET = "k" * 40


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Every variable production needs, set to acceptable values; tests spoil one at a time."""
    monkeypatch.setenv("JIUJIN_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("JIUJIN_NOTIFY_CHANNEL", "sms")
    monkeypatch.setenv("JIUJIN_NOTIFY_URL", "http://127.0.0.1:9/gateway")
    return monkeypatch


def test_acceptable_production_settings_start(production_env: pytest.MonkeyPatch) -> None:
    settings = Settings.from_env()
    assert settings.env == "production" and settings.secret_key == GOOD_SECRET
    assert settings.flask_config()["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True


@pytest.mark.parametrize("value", ["Production", "prod", "PRODUCTION", "staging", "dev", " production"])
def test_an_unknown_environment_refuses_to_start(production_env: pytest.MonkeyPatch, value: str) -> None:
    production_env.setenv("JIUJIN_ENV", value)
    with pytest.raises(RuntimeError, match="JIUJIN_ENV must be one of development, production"):
        Settings.from_env()


@pytest.mark.parametrize("secret", ["", " ", "   \t", "s3cret", "x" * 31, "dev-only-not-secret"])
def test_production_refuses_a_blank_short_or_published_secret(production_env: pytest.MonkeyPatch,
                                                              secret: str) -> None:
    production_env.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Settings.from_env()


@pytest.mark.parametrize("channel", ["log", ""])
def test_production_refuses_the_log_channel(production_env: pytest.MonkeyPatch, channel: str) -> None:
    production_env.setenv("JIUJIN_NOTIFY_CHANNEL", channel)
    with pytest.raises(RuntimeError, match="JIUJIN_NOTIFY_CHANNEL=log"):
        Settings.from_env()


def test_production_refuses_per_worker_address_limits_with_several_workers(
        production_env: pytest.MonkeyPatch) -> None:
    """memory:// limits multiply with workers; one worker, or a shared store, is accepted."""
    production_env.setenv("WEB_CONCURRENCY", "4")
    for storage in (None, "memory://"):
        if storage is None:
            production_env.delenv("RATELIMIT_STORAGE_URI", raising=False)
        else:
            production_env.setenv("RATELIMIT_STORAGE_URI", storage)
        with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
            Settings.from_env()
    production_env.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    assert Settings.from_env().ratelimit_storage == "redis://127.0.0.1:6379"
    production_env.setenv("WEB_CONCURRENCY", "1")
    production_env.setenv("RATELIMIT_STORAGE_URI", "memory://")
    assert Settings.from_env().ratelimit_storage == "memory://"


def test_development_keeps_its_conveniences(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JIUJIN_ENV", "SECRET_KEY", "JIUJIN_NOTIFY_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.env == "development" and settings.notify_channel == "log" and settings.secret_key
    assert settings.flask_config()["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is False


def test_redact_blanks_phones_codes_hashes_and_constraint_values() -> None:
    from web.logsafety import redact

    text = redact('DETAIL:  Key (phone)=(13800138000) already exists. '
                  '[parameters: ("+86 13912345678", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")] '
                  '【就近】验证码654680，10分钟内有效 code: 123456')
    for secret in ("13800138000", "13912345678", "$argon2id$", "aGFzaA", "654680", "123456"):
        assert secret not in text
    assert "139****5678" in text and "Key (phone)=([redacted])" in text
    assert redact("posting 12345 of 20 in 4.5 s") == "posting 12345 of 20 in 4.5 s"  # ordinary numbers stay


# --- a production-mode run, its logs grepped


class _Gateway(BaseHTTPRequestHandler):
    """The operator's SMS gateway: keeps what it was sent (the codes, which it must deliver)."""

    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", 0))
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def gateway() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()


@pytest.fixture
def production_app(production_env: pytest.MonkeyPatch, gateway: str, tmp_path: Path) -> Iterator[Any]:
    """A production-mode app on its own migrated SQLite file, notifying through the local gateway."""
    from flask_migrate import upgrade

    from web import create_app, logsafety
    from web.extensions import db

    production_env.setenv("JIUJIN_NOTIFY_URL", gateway)
    production_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    app = create_app({"JIUJIN_MODEL_PATH": tmp_path / "model"})
    with app.app_context():
        upgrade()
    try:
        yield app
    finally:
        logsafety.uninstall()
        with app.app_context():
            db.engine.dispose()


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    token = token_in(client.get(url).data)
    return client.post(url, data={**data, "csrf_token": token})


def test_a_production_run_logs_no_phone_code_hash_or_sql_parameter(production_app: Any,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    from web.extensions import db

    phone, password = "13800138077", "mima-2026-long-enough"
    caplog.set_level(logging.DEBUG)
    client = production_app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"  # production cookies are Secure
    assert _post(client, "/signup", {"phone": phone}).status_code == 302
    code = str(_Gateway.received[-1]["params"]["code"])
    assert _post(client, "/signup/verify", {"code": code, "password": password, "confirm": password}
                 ).status_code == 302
    client.post("/logout", data={"csrf_token": token_in(client.get("/consent").data)})
    _post(client, "/login", {"phone": phone, "password": "wrong-" + password})
    client.get(f"/admin/users?phone={phone}")
    with production_app.app_context():
        row = dict(db.session.execute(sa.text("SELECT * FROM users")).mappings().one())
        stored_hash = row.pop("password_hash")
        row.pop("id")
        # The kind of failure that used to put the whole row into the log: the same phone again.
        names = ", ".join(row)
        try:
            db.session.execute(sa.text(f"INSERT INTO users ({names}, password_hash) VALUES "
                                       f"({', '.join(':' + n for n in row)}, :password_hash)"),
                               {**row, "password_hash": stored_hash})
        except sa.exc.DBAPIError:
            production_app.logger.exception("storing user %s failed (code %s)", phone, code)
        db.session.rollback()
    logging.getLogger("web.services.accounts").warning("odd sign-up from %s with 验证码%s", phone, code)

    logged = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert "storing user" in logged and "odd sign-up" in logged  # the records themselves are there
    assert "UNIQUE" in logged.upper() or "unique" in logged  # the duplicate-phone failure, not another
    assert stored_hash.startswith("$argon2")
    for secret in (phone, code, stored_hash, "$argon2"):
        assert secret not in logged, f"{secret!r} reached the production log"
