"""Who published a posting, as seekers see it, and what happens after applying to it.

A source's internal ``name`` ("demo-bureau-export", "bureau-522632") is for operators and staff;
seekers see its ``public_name``, or a label by trust when the operator set none. What the job page
promises after an application comes only from what the operator configured on the source
(``contact_phone``, ``reply_days``) and from the posting itself (its original URL): nothing is
guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext

from web.models import Posting, Source

# Shown when a source has no public name: what kind of publisher it is, never its internal name.
TRUST_LABELS = {
    "bureau": lazy_gettext("县人社局"),
    "employer": lazy_gettext("用人单位"),
    "aggregator": lazy_gettext("招聘网站"),
}


# Public names the project itself ships (the demo source's), read in the page's language.
FIXED_PUBLIC_NAMES = {"县人社局（演示数据）": lazy_gettext("县人社局（演示数据）")}


def public_source_name(source: Source | None) -> str:
    """The name seekers see for ``source``: its public name, else a label by its trust."""
    if source is None:
        return str(TRUST_LABELS["aggregator"])
    if source.public_name and source.public_name.strip():
        name = source.public_name.strip()
        return str(FIXED_PUBLIC_NAMES.get(name, name))
    return str(TRUST_LABELS.get(source.trust, TRUST_LABELS["aggregator"]))


@dataclass(frozen=True)
class NextSteps:
    """What happens after applying to a posting, from configured facts only."""

    publisher: str
    bureau: bool  # a job bureau published it: its staff see applications in their workspace
    phone: str | None  # the publisher's phone, as configured on the source
    reply_days: int | None  # working days within which the publisher calls back, as configured
    apply_url: str | None  # the posting's own way to apply (its original page)


def next_steps(posting: Posting) -> NextSteps:
    """What a seeker who applied to ``posting`` can expect, and how else to reach the publisher."""
    source = posting.source
    url = posting.url if posting.url and posting.url.startswith(("http://", "https://")) else None
    days = source.reply_days if source is not None and source.reply_days and source.reply_days > 0 else None
    phone = (source.contact_phone or "").strip() or None if source is not None else None
    return NextSteps(
        publisher=public_source_name(source),
        bureau=source is not None and source.trust == "bureau",
        phone=phone,
        reply_days=days,
        apply_url=url,
    )
