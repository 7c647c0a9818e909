"""What the site-level benchmarks share: a migrated app on a given database, and a median timer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def migrated_app(database_url: str, **config: Any) -> Any:
    """The site's app on ``database_url`` (plus ``config``), migrated, with the gazetteer's places
    stored (imports are deferred: ``bench.match`` and friends must not need the web package)."""
    from flask_migrate import upgrade

    from web import create_app
    from web.extensions import db
    from web.services import places

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, **config})
    with app.app_context():
        upgrade()
        places.sync_places(db.session, app.extensions["jiujin"].gazetteer)
        db.session.commit()
    return app


def median_seconds(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Median wall time of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
