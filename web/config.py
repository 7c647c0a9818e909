"""Configuration: one class, read from environment variables (all listed in README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"
ENVS = ("development", "production")
DEV_SECRET = "dev-only-not-secret"
# A secret that a person can type from memory is one an attacker can guess: 32 characters is what
# `python -c "import secrets; print(secrets.token_urlsafe(32))"` (43) comfortably exceeds.
MIN_SECRET_LENGTH = 32


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


MATCH_INDEXES = ("auto", "in-process", "postgres")


def _match_index(value: str) -> str:
    """JIUJIN_MATCH_INDEX: "in-process" (each process holds the index), "postgres" (the database
    does the first stage: web/services/pgindex.py), or "auto" (postgres where the database has
    the pgvector match tables, else in-process)."""
    if value not in MATCH_INDEXES:
        raise RuntimeError(f"JIUJIN_MATCH_INDEX must be one of {', '.join(MATCH_INDEXES)}; got {value!r}")
    return value


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise RuntimeError(f"{name} must be an integer, got {value!r}") from None


def _env() -> str:
    """JIUJIN_ENV, exactly one of ENVS: a misspelt "Production" must not quietly run as development."""
    env = os.environ.get("JIUJIN_ENV") or "development"
    if env not in ENVS:
        raise RuntimeError(f"JIUJIN_ENV must be one of {', '.join(ENVS)}; got {env!r}")
    return env


def _secret(env: str) -> str:
    """SECRET_KEY; production refuses a missing, blank, short or published one."""
    secret = os.environ.get("SECRET_KEY", "")
    if env != "production":
        return secret or DEV_SECRET
    if not secret.strip() or secret == DEV_SECRET:
        raise RuntimeError("SECRET_KEY must be set when JIUJIN_ENV=production")
    if len(secret.strip()) < MIN_SECRET_LENGTH:
        raise RuntimeError(
            f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters when JIUJIN_ENV=production")
    return secret
def _base_url(value: str) -> str:
    """``https://host[/prefix]`` without a trailing slash; anything else is a configuration error."""
    value = value.strip().rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise RuntimeError(f"JIUJIN_PUBLIC_BASE_URL must start with https:// or http://, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Typed settings; ``from_env`` reads them, tests pass overrides to create_app."""

    env: str
    database_url: str
    secret_key: str
    model_path: Path
    load_demo: bool
    scheduler_lock: Path
    index_refresh_seconds: int
    match_index: str
    notify_channel: str
    notify_url: str
    ratelimit_storage: str
    map_tiles_url: str
    map_tiles_attribution: str
    public_base_url: str
    bureau_phone: str
    bureau_address: str
    staff_idle: timedelta = timedelta(hours=2)
    staff_lifetime: timedelta = timedelta(hours=12)
    seeker_idle: timedelta = timedelta(days=30)
    seeker_lifetime: timedelta = timedelta(days=90)
    export_inline_rows: int = 2000
    export_keep: timedelta = timedelta(hours=24)

    @classmethod
    def from_env(cls) -> Settings:
        """Read JIUJIN_* and friends; refuse a configuration that would be unsafe in production."""
        env = _env()
        secret = _secret(env)
        notify_channel = os.environ.get("JIUJIN_NOTIFY_CHANNEL") or "log"
        if env == "production" and notify_channel == "log":
            raise RuntimeError("JIUJIN_NOTIFY_CHANNEL=log writes one-time codes to the log: production needs "
                               "sms or wechat (with JIUJIN_NOTIFY_URL)")
        ratelimit_storage = os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
        workers = _int("WEB_CONCURRENCY", 1)
        if env == "production" and ratelimit_storage.startswith("memory://") and workers > 1:
            raise RuntimeError("RATELIMIT_STORAGE_URI=memory:// counts per-address limits in each of the "
                               "WEB_CONCURRENCY workers (each address gets that many times the limit): "
                               "production with several workers needs a shared store, e.g. redis://127.0.0.1:6379")
        default_db = f"sqlite:///{INSTANCE / 'jiujin.sqlite3'}"
        return cls(
            env=env,
            database_url=os.environ.get("DATABASE_URL") or default_db,
            secret_key=secret,
            model_path=Path(os.environ.get("JIUJIN_MODEL_PATH") or INSTANCE / "models" / "use-m3-st"),
            load_demo=_bool(os.environ.get("JIUJIN_LOAD_DEMO"), env != "production"),
            scheduler_lock=Path(os.environ.get("JIUJIN_SCHEDULER_LOCK") or INSTANCE / "scheduler.lock"),
            index_refresh_seconds=_int("JIUJIN_INDEX_REFRESH_SECONDS", 30),
            match_index=_match_index(os.environ.get("JIUJIN_MATCH_INDEX") or "auto"),
            notify_channel=notify_channel,
            notify_url=os.environ.get("JIUJIN_NOTIFY_URL", ""),
            ratelimit_storage=ratelimit_storage,
            map_tiles_url=os.environ.get("JIUJIN_MAP_TILES_URL") or (
                "https://webrd01.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"),
            map_tiles_attribution=os.environ.get("JIUJIN_MAP_TILES_ATTRIBUTION") or "地图：高德",
            public_base_url=_base_url(os.environ.get("JIUJIN_PUBLIC_BASE_URL", "")),
            bureau_phone=os.environ.get("JIUJIN_BUREAU_PHONE", "").strip(),
            bureau_address=os.environ.get("JIUJIN_BUREAU_ADDRESS", "").strip(),
            staff_idle=timedelta(minutes=_int("JIUJIN_STAFF_IDLE_MINUTES", 120)),
            staff_lifetime=timedelta(hours=_int("JIUJIN_STAFF_LIFETIME_HOURS", 12)),
            seeker_idle=timedelta(days=_int("JIUJIN_SEEKER_IDLE_DAYS", 30)),
            seeker_lifetime=timedelta(days=_int("JIUJIN_SEEKER_LIFETIME_DAYS", 90)),
            export_inline_rows=_int("JIUJIN_EXPORT_INLINE_ROWS", 2000),
            export_keep=timedelta(hours=_int("JIUJIN_EXPORT_KEEP_HOURS", 24)),
        )

    def flask_config(self) -> dict[str, Any]:
        """The Flask config keys these settings become."""
        production = self.env == "production"
        return {
            "JIUJIN_ENV": self.env,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            # Production logs never carry SQL parameters (phone numbers, password hashes, free text).
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": production},
            "JIUJIN_MODEL_PATH": self.model_path,
            "JIUJIN_LOAD_DEMO": self.load_demo,
            "JIUJIN_SCHEDULER_LOCK": self.scheduler_lock,
            "JIUJIN_INDEX_REFRESH_SECONDS": self.index_refresh_seconds,
            "JIUJIN_MATCH_INDEX": self.match_index,
            "JIUJIN_MAP_TILES_URL": self.map_tiles_url,
            "JIUJIN_MAP_TILES_ATTRIBUTION": self.map_tiles_attribution,
            "JIUJIN_PUBLIC_BASE_URL": self.public_base_url,
            "JIUJIN_BUREAU_PHONE": self.bureau_phone,
            "JIUJIN_BUREAU_ADDRESS": self.bureau_address,
            "JIUJIN_NOTIFY_CHANNEL": self.notify_channel,
            "JIUJIN_NOTIFY_URL": self.notify_url,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage,
            # Sessions and API tokens end after this long unused, and this long after sign-in (web.auth).
            "JIUJIN_STAFF_IDLE": self.staff_idle,
            "JIUJIN_STAFF_LIFETIME": self.staff_lifetime,
            "JIUJIN_SEEKER_IDLE": self.seeker_idle,
            "JIUJIN_SEEKER_LIFETIME": self.seeker_lifetime,
            "PERMANENT_SESSION_LIFETIME": self.seeker_lifetime,
            # A download of more records than this is made by the job runner; its file is kept this long.
            "JIUJIN_EXPORT_INLINE_ROWS": self.export_inline_rows,
            "JIUJIN_EXPORT_KEEP": self.export_keep,
            # __Host-: the browser keeps the cookie only if it is Secure, for path / and without a
            # Domain, so no sibling subdomain can set or shadow it.
            "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
            "SESSION_COOKIE_PATH": "/",
            "SESSION_COOKIE_DOMAIN": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": production,
            "REMEMBER_COOKIE_SECURE": production,
            "JSON_AS_ASCII": False,
            "MAX_CONTENT_LENGTH": 1 * 1024 * 1024,
        }
