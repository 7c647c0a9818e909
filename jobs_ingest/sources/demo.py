"""The demo source: a bureau-style JSON export written by the team (see demo_data.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

from jobs_ingest.clock import china_today
from jobs_ingest.records import RawItem, SourceConfig
from jobs_ingest.sources import register
from jobs_ingest.sources.demo_data import generate_demo_items

# Bureau export field -> standard field name.
FIELD_MAP = {
    "id": "external_id", "title": "title", "company": "employer", "description": "description",
    "area": "place_text", "salary": "pay_text", "welfare": "benefits_text", "job_type": "type_text",
    "count": "headcount_text", "publish_date": "posted_text", "deadline": "valid_through_text",
    "url": "url",
}


def to_raw_item(raw: dict[str, object]) -> RawItem:
    """Map one bureau-export dict to a RawItem, keeping the original as the excerpt."""
    fields = {std: raw.get(key) for key, std in FIELD_MAP.items()}
    excerpt = json.dumps(raw, ensure_ascii=False, sort_keys=True)[:4000]
    return RawItem(fields=fields, excerpt=excerpt)


@register("demo")
def fetch(config: SourceConfig, fetcher: object = None) -> Iterator[RawItem]:
    """Yield the demo postings, dated relative to today; ``options["today"]`` pins it for tests."""
    today_text = config.options.get("today")
    today = date.fromisoformat(str(today_text)) if today_text else china_today()
    seed = int(config.options.get("seed", 20261128))
    for raw in generate_demo_items(seed=seed, today=today):
        yield to_raw_item(raw)
