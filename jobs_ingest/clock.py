"""The one "today": the date in China (Asia/Shanghai), whatever the server's own time zone.

Every decision that turns on a date (expiry, search's recency, an import's deadlines, a form's
"not in the past") reads this, so a server set to UTC does not expire a posting eight hours
late or call a deadline of today "past" before midnight in Guizhou.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def china_today() -> date:
    """Today's date in China."""
    return datetime.now(CHINA).date()
