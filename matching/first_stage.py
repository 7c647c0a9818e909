"""The matcher's first stage: a fused, approximate score that shortlists very large candidate sets.

A worker who relocates reaches every posting with housing, about 30% of them. Computing the
exact signals (``matching.signals``) of hundreds of thousands of candidates would read their
full vectors, so ``Matcher.rank`` first scores them all here (``scores``) and computes the exact
signals of the best ``shortlist`` only (``matching.ranker``: above ``FIRST_STAGE_FROM`` ×
``SHORTLIST`` candidates).

``scores`` is the score before the sigmoid (``signals.logits``) with the same features as the
exact path, computed in one fused pass over compact per-row facts (``RowFacts``): the dense
cosines come from the sketch (``matching.sketch``, a projection of each vector block), distances
are chord distances instead of great-circle ones (at most 0.1% shorter under 1,000 km), and
the arithmetic is float32 (the exponentials run about 3× faster than in float64, and gathered
facts take half the bytes). Fused: one function adds every weighted feature into one array, so
no per-signal arrays are kept, combined or explained (only the shortlist needs them).
Every signal but the dense cosines is thus exact or nearly so, and a posting is missed only
when the sketch underrates its cosines by more than its margin to the last shortlisted one.
A feature that the query leaves open (no home, no expectation, no wanted type) is the same for
every row and is added as one number.

The facts of the live rows with housing are kept contiguous (``HousedView``, about 95 bytes per
posting at 30% housed, with the sketch codes already divided by the rows' norms), so a relocating
query streams them instead of gathering them from a million rows. The view is built by
``Matcher.fit`` and is not rebuilt on every change: rows removed since are masked (``alive``),
housed rows added since are read like candidates near home, and it is rebuilt (at the next
relocating query) once either exceeds ``VIEW_REBUILD_SHARE`` of it (at least ``VIEW_REBUILD_MIN``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from matching import signals as sig
from matching.occupations import Occupation
from matching.types import Query

if TYPE_CHECKING:
    from matching.ranker import Matcher

# The housed view is rebuilt once the housed rows added or removed since it was built exceed this
# share of it (until then, added rows are read like candidates near home; removed ones are masked).
VIEW_REBUILD_SHARE = 0.1
VIEW_REBUILD_MIN = 2048


@dataclass
class RowFacts:
    """What the first stage reads about some rows, each fact a contiguous array in row order.

    ``codes`` are the rows' sketch codes, each block divided by the row's norm of that block when
    ``scaled`` (then the products with the query are the cosines); ``xyz`` (the rows' unit vectors)
    is filled on first use.
    """

    rows: np.ndarray
    codes: np.ndarray
    norms: np.ndarray
    chinese: np.ndarray
    latin: np.ndarray
    which: np.ndarray
    wage_top: np.ndarray
    housing: np.ndarray
    type_code: np.ndarray
    job_months: np.ndarray
    posted_days: np.ndarray
    trust: np.ndarray
    xyz: np.ndarray | None = None
    scaled: bool = False

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return int(sum(a.nbytes for a in vars(self).values() if isinstance(a, np.ndarray)))


@dataclass
class HousedView:
    """The facts of the live rows with housing and coordinates below row ``end``, as of its build.

    ``alive`` turns False for rows removed since; housed rows added since (at ``end`` or later) are
    not in it and are read like any other candidate.
    """

    facts: RowFacts
    end: int
    alive: np.ndarray
    dead: int = 0


@dataclass
class QuerySide:
    """Everything about a query that does not depend on the candidates."""

    text: str
    vector: np.ndarray
    lexical: Any
    occupations: tuple[Occupation, ...]
    scripts: tuple[float, float]
    parts: list = field(default_factory=list)  # the sketch's projected query, once needed


def housed_view(matcher: Matcher) -> HousedView:
    """The matcher's housed view (``matcher.housed_view_``), rebuilt first if it has drifted too far."""
    view = matcher.housed_view_
    if view is not None:
        added = len(matcher.housed_rows_) - int(np.searchsorted(matcher.housed_rows_, view.end))
        limit = max(VIEW_REBUILD_MIN, VIEW_REBUILD_SHARE * len(view.alive))
        if added <= limit and view.dead <= limit:
            return view
    facts = row_facts(matcher, matcher.live_housed())
    facts.xyz = matcher.geo_.unit_rows(facts.rows)
    assert matcher.sketch_ is not None
    safe = np.where(facts.norms == 0, np.float32(1), facts.norms)
    for b, (lo, hi) in enumerate(matcher.sketch_.columns):  # scaled: the products are the cosines
        facts.codes[:, lo:hi] /= safe[:, b : b + 1]
    facts.norms, facts.scaled = facts.norms[:0], True
    matcher.housed_view_ = HousedView(facts, len(matcher.live_), np.ones(len(facts.rows), dtype=bool))
    return matcher.housed_view_


def row_facts(matcher: Matcher, rows: np.ndarray) -> RowFacts:
    """The first stage's facts of the given rows, gathered into contiguous arrays."""
    m = matcher
    assert m.sketch_ is not None
    rows = np.asarray(rows, dtype=np.int64)
    scripts = m.scripts_[rows].astype(np.float32)  # (np.take would copy a strided column whole)
    return RowFacts(rows=rows, codes=m.sketch_.codes_[rows], norms=m.block_norms_[rows],
                    chinese=scripts[:, 0].copy(), latin=scripts[:, 1].copy(),
                    which=m.occupation_table_.which_[rows].astype(np.int32),
                    wage_top=m.wage_top_[rows].astype(np.float32), housing=m.housing_[rows],
                    type_code=m.type_code_[rows], job_months=m.job_months_[rows],
                    posted_days=m.posted_days_[rows].astype(np.float32),
                    trust=m.trust_[rows].astype(np.float32))


def all_facts(matcher: Matcher) -> RowFacts:
    """The first stage's facts of every row, read in place (no copies)."""
    m = matcher
    assert m.sketch_ is not None
    return RowFacts(rows=np.arange(len(m.live_)), codes=m.sketch_.codes_, norms=m.block_norms_,
                    chinese=m.scripts_[:, 0], latin=m.scripts_[:, 1],
                    which=m.occupation_table_.which_, wage_top=m.wage_top_, housing=m.housing_,
                    type_code=m.type_code_, job_months=m.job_months_,
                    posted_days=m.posted_days_, trust=m.trust_)


def scores(matcher: Matcher, query: Query, side: QuerySide, facts: RowFacts) -> np.ndarray:
    """The score before the sigmoid (``signals.logits``) of every row of ``facts``, fused.

    The same features as ``Matcher``'s exact signals with the sketch's cosines and chord distances,
    in float32; a feature that is the same for every row (a fact the query leaves open) is one number.
    ``side.parts`` must hold the sketch's projection of the query (``Sketch.query_parts``).
    """
    logit = text_logits(matcher, side, facts)
    const = fact_logits(matcher, query, facts, logit)
    logit += np.float32(const)
    return logit


def text_logits(matcher: Matcher, side: QuerySide, facts: RowFacts) -> np.ndarray:
    """The weighted dense, lexical and occupation features (``signals.text_signals``)."""
    w = matcher.weights_
    chinese_q, latin_q = side.scripts
    assert matcher.sketch_ is not None
    cosines = matcher.sketch_.dots(side.parts, facts.codes)
    if not facts.scaled:
        cosines /= np.where(facts.norms == 0, np.float32(1), facts.norms)
    use = cosines[:, 0]
    english = facts.latin * np.float32(latin_q) if latin_q else None
    logit = use * np.float32(w.get("dense", 0.0))
    if english is not None:  # the English share moves weight from "dense" to the English features
        logit += use * english * np.float32(w.get("dense_use_en", 0.0) - w.get("dense", 0.0))
        if cosines.shape[1] > 1:
            logit += cosines[:, 1] * english * np.float32(w.get("dense_en", 0.0))
    if side.lexical is not None and side.lexical.nnz and (w.get("lexical") or w.get("lexical_en")):
        coef = facts.chinese * np.float32(w.get("lexical", 0.0) * chinese_q)
        if english is not None:
            coef += english * np.float32(w.get("lexical_en", 0.0))
        logit += matcher.lexical_.scores(side.lexical, facts.rows).astype(np.float32) * coef
    if side.occupations and (w.get("occupation") or w.get("occupation_group")):
        logit += occupation_weights(matcher, side.occupations)[facts.which]
    return logit


def fact_logits(matcher: Matcher, query: Query, facts: RowFacts, logit: np.ndarray) -> float:
    """Adds the weighted distance, pay, housing and terms features to ``logit``; returns the
    intercept plus the features that are the same for every row."""
    w = matcher.weights_
    const = float(matcher.intercept_) + proximity_logits(matcher, query, facts, logit)
    expectation = query.wage_expectation
    if expectation is None or not expectation > 0:
        const += w.get("pay", 0.0) * sig.UNKNOWN
    elif w.get("pay"):
        pay = np.minimum(facts.wage_top * np.float32(1.0 / expectation), np.float32(1.0))
        pay[np.isnan(pay)] = sig.UNKNOWN
        logit += pay * np.float32(w["pay"])
    if w.get("housing"):
        housing = w["housing"] * (1.0 if query.will_relocate else 0.5)
        if facts.housing.all():  # the housed view
            const += housing
        else:
            logit += facts.housing * np.float32(housing)
    for name, table, codes in discrete_features(query, facts):
        if len(table) == 1:
            const += w.get(name, 0.0) * float(table[0])
        elif w.get(name):
            logit += (table * w[name]).astype(np.float32)[codes]
    if query.today is not None and w.get("recency"):
        age = np.maximum(np.float32(query.today.toordinal()) - facts.posted_days, np.float32(0))
        recent = np.exp(age * np.float32(-1.0 / sig.RECENCY_SCALE_DAYS))
        recent[np.isnan(recent)] = sig.UNKNOWN
        logit += recent * np.float32(w["recency"])
    else:
        const += w.get("recency", 0.0) * sig.UNKNOWN
    if w.get("trust"):
        logit += facts.trust * np.float32(w["trust"])
    return const


def proximity_logits(matcher: Matcher, query: Query, facts: RowFacts, logit: np.ndarray) -> float:
    """Adds the weighted proximity (from chord distances) to ``logit``, or returns it where the
    query has no home (the same for every row)."""
    weight = matcher.weights_.get("proximity", 0.0)
    if query.lat is None or query.lon is None:
        return weight * sig.UNKNOWN
    if weight:
        if facts.xyz is None:
            facts.xyz = matcher.geo_.unit_rows(facts.rows)
        km = matcher.geo_.chord_km(query.lat, query.lon, xyz=facts.xyz).astype(np.float32)
        near = np.exp(km * np.float32(-1.0 / matcher.proximity_scale_km))  # float32: 3× faster
        near[np.isnan(km)] = sig.UNKNOWN
        logit += near * np.float32(weight)
    return 0.0


def discrete_features(query: Query, facts: RowFacts) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(feature, value per code, each row's code) of the features read from small codes; a
    one-value table where the query leaves the feature open (the same for every row)."""
    types = (sig.employment_fit(np.arange(len(sig.EMPLOYMENT_TYPES) + 1), query.employment_types)
             if query.employment_types else np.array([sig.UNKNOWN]))
    months = (sig.availability(np.arange(2 * sig.NO_PERIOD), query.unavailable_months)
              if sig.month_mask(query.unavailable_months) else np.array([sig.UNKNOWN]))
    return [("employment_type", types, facts.type_code), ("availability", months, facts.job_months)]


def occupation_weights(matcher: Matcher, occupations: tuple[Occupation, ...]) -> np.ndarray:
    """Per distinct occupation row of the table: its weighted ``occupation`` and group signals."""
    same, group = matcher.occupation_table_.distinct_signals(occupations)
    w = matcher.weights_
    return (w.get("occupation", 0.0) * same + w.get("occupation_group", 0.0) * group).astype(np.float32)
