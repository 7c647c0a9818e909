"""Configuration: one class, read from environment variables (all listed in README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise RuntimeError(f"{name} must be an integer, got {value!r}") from None


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
    notify_channel: str
    notify_url: str
    ratelimit_storage: str
    map_tiles_url: str
    map_tiles_attribution: str
    public_base_url: str
    bureau_phone: str
    bureau_address: str

    @classmethod
    def from_env(cls) -> Settings:
        """Read JIUJIN_* and friends; production refuses to start without a SECRET_KEY."""
        env = os.environ.get("JIUJIN_ENV", "development")
        secret = os.environ.get("SECRET_KEY", "")
        if not secret:
            if env == "production":
                raise RuntimeError("SECRET_KEY must be set when JIUJIN_ENV=production")
            secret = "dev-only-not-secret"
        default_db = f"sqlite:///{INSTANCE / 'jiujin.sqlite3'}"
        return cls(
            env=env,
            database_url=os.environ.get("DATABASE_URL") or default_db,
            secret_key=secret,
            model_path=Path(os.environ.get("JIUJIN_MODEL_PATH") or INSTANCE / "models" / "use-m3-st"),
            load_demo=_bool(os.environ.get("JIUJIN_LOAD_DEMO"), env != "production"),
            scheduler_lock=Path(os.environ.get("JIUJIN_SCHEDULER_LOCK") or INSTANCE / "scheduler.lock"),
            index_refresh_seconds=_int("JIUJIN_INDEX_REFRESH_SECONDS", 30),
            notify_channel=os.environ.get("JIUJIN_NOTIFY_CHANNEL") or "log",
            notify_url=os.environ.get("JIUJIN_NOTIFY_URL", ""),
            ratelimit_storage=os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
            map_tiles_url=os.environ.get("JIUJIN_MAP_TILES_URL") or (
                "https://webrd01.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"),
            map_tiles_attribution=os.environ.get("JIUJIN_MAP_TILES_ATTRIBUTION") or "地图：高德",
            public_base_url=_base_url(os.environ.get("JIUJIN_PUBLIC_BASE_URL", "")),
            bureau_phone=os.environ.get("JIUJIN_BUREAU_PHONE", "").strip(),
            bureau_address=os.environ.get("JIUJIN_BUREAU_ADDRESS", "").strip(),
        )

    def flask_config(self) -> dict[str, Any]:
        """The Flask config keys these settings become."""
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "JIUJIN_MODEL_PATH": self.model_path,
            "JIUJIN_LOAD_DEMO": self.load_demo,
            "JIUJIN_SCHEDULER_LOCK": self.scheduler_lock,
            "JIUJIN_INDEX_REFRESH_SECONDS": self.index_refresh_seconds,
            "JIUJIN_MAP_TILES_URL": self.map_tiles_url,
            "JIUJIN_MAP_TILES_ATTRIBUTION": self.map_tiles_attribution,
            "JIUJIN_PUBLIC_BASE_URL": self.public_base_url,
            "JIUJIN_BUREAU_PHONE": self.bureau_phone,
            "JIUJIN_BUREAU_ADDRESS": self.bureau_address,
            "JIUJIN_NOTIFY_CHANNEL": self.notify_channel,
            "JIUJIN_NOTIFY_URL": self.notify_url,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.env == "production",
            "REMEMBER_COOKIE_SECURE": self.env == "production",
            "JSON_AS_ASCII": False,
            "MAX_CONTENT_LENGTH": 1 * 1024 * 1024,
        }
