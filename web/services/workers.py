"""Reading worker profiles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.models import Worker


def demo_searches(session: Session, limit: int = 12) -> list[dict[str, Any]]:
    """The demo workers as ready-made searches for the first page (empty without demo data)."""
    workers = session.scalars(
        select(Worker).where(Worker.demo_key.is_not(None)).order_by(Worker.demo_key).limit(limit))
    return [
        {"name": w.name, "description": w.description, "home": w.home_text,
         "params": {"q": w.description, "place": w.home_text, "km": w.max_commute_km,
                    **({"relocate": "on"} if w.will_relocate else {}),
                    **({"wage": w.wage_expectation} if w.wage_expectation else {})}}
        for w in workers
    ]
