"""Schemathesis against the whole OpenAPI document: generated requests, signed in as a consented
seeker with a profile; no 5xx, and every answer conforms to the documented schema."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from web.auth import token_digest
from web.models import ApiToken, RoleAssignment, User, Worker
from web.services.accounts import hash_password

TOKEN = "schemathesis-test-token-0123456789"


@pytest.fixture
def api_schema(app: Any, db_session: Any) -> Any:
    """The app's own document, with a seeker (profile, consent, token) in the rolled-back session."""
    now = datetime.now(UTC)
    user = User(phone="13700000001", password_hash=hash_password("schema-mima-1"), consent_at=now,
                consent_version="2026-11", phone_verified_at=now)
    db_session.add(user)
    db_session.flush()
    db_session.add_all([RoleAssignment(user_id=user.id, role="seeker"),
                        Worker(user_id=user.id, description="会电焊，在工地干过", home_text="榕江县",
                               lat=25.93, lon=108.52, max_commute_km=50),
                        ApiToken(user_id=user.id, token_hash=token_digest(TOKEN),
                                 session_version=user.session_version)])
    db_session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


# What the issue asks for: no 5xx, and answers as documented. (Schema-valid but meaningless input,
# such as the place "months", is rightly a 422, so positive-data acceptance is not among them.)
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]

# Signing out revokes the token the other operations use, so those two run last.
LAST = ("POST /api/v1/auth/logout", "DELETE /api/v1/me")


def test_api_conforms_to_its_document(api_schema: Any) -> None:
    """Every operation: no server errors; status codes, content types and bodies as documented."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    operations.sort(key=lambda op: (op.label in LAST, op.label))
    assert len(operations) >= 10
    failures: dict[str, str] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            # identity: the WSGI transport hands over bodies as sent and does not undo Content-Encoding
            headers = {"Authorization": f"Bearer {TOKEN}", "Accept-Encoding": "identity"}
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect all, then report
            failures[operation.label] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


# --- Every phase and every check (schemathesis's engine, as `st run` drives it) ----------------------

# A schema-valid request may still mean nothing: an unknown place, text without a word, a place
# outside the bureau's county, a month with no data. The document says so (422 on each such
# operation); positive-data acceptance counts that answer as an acceptance of the shape.
POSITIVE_ALSO = ["422"]
MAX_EXAMPLES = 10
SEED = 20261128
STAFF_PATHS = r"^/api/v1/(bureau|collab)/"
SIGN_OUT = r"^/api/v1/(me|auth/logout)$"


def _wsgi_kwargs_fix(monkeypatch: Any) -> None:
    """schemathesis 4.32 passes socket settings (max_redirects, verify, cert, proxies) to werkzeug's
    test client when no session is given, which fails every request of some checks with a TypeError;
    they mean nothing in-process, so they are dropped."""
    from schemathesis.transport import wsgi

    original = wsgi.WSGITransport.send

    def send(self: Any, case: Any, *, session: Any = None, **kwargs: Any) -> Any:
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return original(self, case, session=session, **kwargs)

    monkeypatch.setattr(wsgi.WSGITransport, "send", send)


def run_engine(app: Any, token: str, *, include: str | None = None, exclude: str | None = None,
               method: str | None = None) -> tuple[Counter[str], set[str], dict[str, list[str]]]:
    """All phases (examples, coverage, fuzzing; stateful off: links are not documented), every check;
    returns the checks run by name, the operations tested, and the failures by operation."""
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import events, from_schema

    config = SchemathesisConfig.from_dict({
        "seed": SEED, "headers": {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
        "cache": {"enabled": False},  # no replay of earlier runs' cases: each run is the same run
        "generation": {"max-examples": MAX_EXAMPLES},
        "phases": {"stateful": {"enabled": False}},
        "checks": {"positive_data_acceptance": {
            "expected-statuses": [*config_default_positive(), *POSITIVE_ALSO]}},
    })
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    if include:
        schema = schema.include(path_regex=include, **({"method": method} if method else {}))
    if exclude:
        schema = schema.exclude(path_regex=exclude)
    ran: Counter[str] = Counter()
    operations: set[str] = set()
    failures: dict[str, list[str]] = defaultdict(list)
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            operations.add(event.recorder.label)
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    ran[node.name] += 1
                    if node.failure_info is not None:
                        failure = node.failure_info.failure
                        failures[event.recorder.label].append(
                            f"{node.name}: {failure.title} {getattr(failure, 'message', '')}"[:300]
                            + "\n    " + node.failure_info.code_sample[:300])
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            failures[getattr(event, "label", "engine")].append(str(getattr(event, "info", event))[:500])
    return ran, operations, failures


def config_default_positive() -> list[str]:
    from schemathesis.config._checks import POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES

    return list(POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES)


def test_every_operation_passes_every_check(app: Any, api_schema: Any, staff_world: Any, monkeypatch: Any,
                                            capsys: Any) -> None:
    """Seeker operations with a seeker's token, staff operations with an admin's, the two that sign
    out last: 0 failures of any kind over all 34 operations."""
    _wsgi_kwargs_fix(monkeypatch)
    runs = [run_engine(app, TOKEN, exclude=f"{STAFF_PATHS}|{SIGN_OUT}"),
            run_engine(app, staff_world.tokens["admin"], include=STAFF_PATHS),
            run_engine(app, TOKEN, include=r"^/api/v1/me$", method="GET"),
            run_engine(app, TOKEN, include=r"^/api/v1/auth/logout$"),
            run_engine(app, TOKEN, include=r"^/api/v1/me$", method="DELETE")]
    ran = sum((r[0] for r in runs), Counter())
    operations = set().union(*(r[1] for r in runs))
    failures = {k: v for r in runs for k, v in r[2].items()}
    with capsys.disabled():
        print(f"\nschemathesis: {len(operations)} operations, {sum(ran.values())} checks "
              f"({len(ran)} kinds), {sum(len(v) for v in failures.values())} failures")
    assert len(operations) >= 34
    assert len(ran) >= 10
    assert not failures, "\n\n".join(f"{k}:\n" + "\n".join(v[:5]) for k, v in failures.items())
