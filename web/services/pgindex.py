"""The PostgreSQL match index (pgvector): one index in the database that every web worker and
machine shares, instead of a copy of every posting in each worker (``web.services.index``).

Tables (migration 0010a, created only where the ``vector`` extension exists):

- ``match_rows``: what the first stage reads, one row per matchable posting: its place as a
  ``point`` (GiST: the radius filter's bounding box), the small facts the exact signals read,
  the two vector blocks as ``halfvec`` (USE 512 with a partial HNSW index over the postings with
  housing, for workers who relocate; MiniLM 384), and its sublinear term frequencies as a
  ``sparsevec`` over hashed terms (``matching.shortlist.term_dim``) with the TF-IDF norm.
  Rows are short enough to stay inline (``toast_tuple_target``): no TOAST read per candidate.
- ``match_docs``: what only the shortlist and the final matches need (occupations, the posting
  as the matcher sees it, the term lists for the document frequencies).
- ``match_terms`` (document frequency per term dimension) and ``match_meta`` (``n``: rows;
  ``generation``: moves with each full lexicon refresh).

A posting's rows are written by ``sync`` in the transaction that changed it
(``web.changes`` calls it before every commit that touched a posting), so a new posting is
matchable the moment its transaction commits and a closed one stops matching at the same
moment. Document frequencies move with each row written or removed; the stored norms of other
rows do not (an in-process index recomputes them all on every change): ``refresh_lexicon``
recomputes them (the scheduler, every ``JIUJIN_LEXICON_REFRESH_MINUTES``; ``flask index
refresh``).

``PgStore`` is the ``matching.shortlist.RowStore`` over these tables: the database returns
ids, exact cosines, lexical cosines and facts for at most ``keep`` candidates, never vectors.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from matching import signals as sig
from matching.documents import posting_text
from matching.geo import EARTH_RADIUS_KM
from matching.lexical import script_shares
from matching.occupations import Occupation, OccupationIndex, default_occupation_index, predict_unique
from matching.shortlist import TERM_DIMS, Candidates, FirstStage, Lexicon, term_weights
from matching.types import PostingDoc, Query, Reach
from web.models import Posting, PostingEmbedding

USE_DIM, MINILM_DIM = 512, 384
BATCH = 500
# A relocating worker's housed candidates come from two more parts of ``keep`` / 2 rows each; the
# HNSW index is searched with hnsw.ef_search at least this.
EF_SEARCH = 200
# ... and the newest this many housed postings of the worker's trade (by first occupation), and
# of every trade, are scored by the first stage: older ones rarely beat them (recency weighs
# 1.2), and the cost stays the same at any size.
OCCUPATION_SCAN = 1000
_DEGREE_KM = math.pi * EARTH_RADIUS_KM / 180


MATCH_TABLES = frozenset({"match_rows", "match_docs", "match_terms", "match_meta"})


def outside_models(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name``: everything but the match tables (and their indexes), which
    migration 0010a writes in SQL with pgvector's types, not as models."""
    if type_ == "table":
        return name not in MATCH_TABLES
    if type_ == "index":
        return parent_names.get("table_name") not in MATCH_TABLES
    return True


def enabled(session: Session) -> bool:
    """Whether the database holds the match tables (PostgreSQL with pgvector, migrated)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    return session.execute(text("SELECT to_regclass('match_rows') IS NOT NULL")).scalar() is True


def halfvec(values: Iterable[float]) -> str:
    """pgvector's text form of a vector."""
    return "[" + ",".join(f"{v:.7g}" for v in values) + "]"


def sparsevec(weights: Mapping[int, float]) -> str:
    """pgvector's text form of a sparse vector (indices 1-based) over the hashed term space."""
    body = ",".join(f"{d + 1}:{w:.7g}" for d, w in sorted(weights.items()) if w)
    return "{" + body + "}/" + str(TERM_DIMS)


# --- writing -------------------------------------------------------------------------------


def doc_json(doc: PostingDoc) -> dict[str, Any]:
    """A PostingDoc as stored in ``match_docs.doc``."""
    return {"id": doc.id, "title": doc.title, "description": doc.description, "employer": doc.employer,
            "place_name": doc.place_name, "lat": doc.lat, "lon": doc.lon, "wage_min": doc.wage_min,
            "wage_max": doc.wage_max, "housing": doc.housing, "meals": doc.meals,
            "employment_type": doc.employment_type,
            "posted_at": doc.posted_at.isoformat() if doc.posted_at else None,
            "valid_through": doc.valid_through.isoformat() if doc.valid_through else None,
            "season_months": list(doc.season_months), "source_trust": doc.source_trust,
            "sightings": doc.sightings}


def doc_from_json(data: dict[str, Any]) -> PostingDoc:
    """``doc_json`` read back."""
    day = date.fromisoformat
    return PostingDoc(**{**data, "posted_at": day(data["posted_at"]) if data["posted_at"] else None,
                         "valid_through": day(data["valid_through"]) if data["valid_through"] else None,
                         "season_months": tuple(data["season_months"])})


def occupations_json(found: Sequence[Occupation]) -> list[list[Any]]:
    """A posting's occupations as stored."""
    return [[o.code, o.name, o.confidence, o.evidence] for o in found]


def row_values(doc: PostingDoc, vector: np.ndarray, model_id: str, occupations: Sequence[Occupation]
               ) -> tuple[dict[str, Any], dict[str, Any], dict[int, float]]:
    """The ``match_rows`` and ``match_docs`` values of one posting, and its term frequencies
    (the row's TF-IDF norm is filled by the caller, against the document frequencies)."""
    text_ = posting_text(doc)
    tf = term_weights(text_)
    zh, latin = script_shares(text_)
    vector = np.asarray(vector, dtype=np.float32)
    use = vector[:USE_DIM]
    en = vector[USE_DIM:USE_DIM + MINILM_DIM] if len(vector) >= USE_DIM + MINILM_DIM else None
    located = doc.lat is not None and doc.lon is not None
    top = doc.wage_max or doc.wage_min
    row = {
        "posting_id": int(doc.id), "model_id": model_id,
        "pos": f"({doc.lon},{doc.lat})" if located else None,
        "housing": bool(doc.housing), "wage_top": float(top) if top else None,
        "type_code": sig.type_code(doc.employment_type),
        "job_months": sig.job_months(doc.season_months, doc.posted_at, doc.valid_through,
                                     doc.employment_type),
        "posted_day": None if doc.posted_at is None else sig.day_number(doc.posted_at),
        "trust": sig.trust(doc.source_trust, doc.sightings), "zh": zh, "latin": latin,
        "occ_code": occupations[0].code if occupations else None,
        "use_vec": halfvec(use), "en_vec": None if en is None else halfvec(en),
        "lex": sparsevec(tf),
    }
    docs = {"posting_id": int(doc.id), "occupations": json.dumps(occupations_json(occupations)),
            "doc": json.dumps(doc_json(doc), ensure_ascii=False),
            "lex_dims": sorted(tf), "lex_tfs": [tf[d] for d in sorted(tf)]}
    return row, docs, tf


_INSERT_ROW = text("""
INSERT INTO match_rows (posting_id, model_id, pos, housing, wage_top, type_code, job_months,
                        posted_day, trust, zh, latin, occ_code, use_vec, en_vec, lex, lex_norm)
VALUES (:posting_id, :model_id, CAST(:pos AS point), :housing, :wage_top, :type_code, :job_months,
        :posted_day, :trust, :zh, :latin, :occ_code, CAST(:use_vec AS halfvec), CAST(:en_vec AS halfvec),
        CAST(:lex AS sparsevec), :lex_norm)
""")
_INSERT_DOC = text("""
INSERT INTO match_docs (posting_id, occupations, doc, lex_dims, lex_tfs)
VALUES (:posting_id, CAST(:occupations AS jsonb), CAST(:doc AS jsonb), :lex_dims, :lex_tfs)
""")


def _count_terms(session: Session, dims: Sequence[int], sign: int) -> None:
    """Add (``sign`` 1) or take (-1) one document from each term dimension's frequency."""
    if not dims:
        return
    counts: dict[int, int] = {}
    for d in dims:
        counts[d] = counts.get(d, 0) + 1
    keys = sorted(counts)  # one order for every writer: no deadlock between two syncs
    session.execute(text("""
        INSERT INTO match_terms (dim, df)
        SELECT d, c FROM unnest(CAST(:dims AS integer[]), CAST(:counts AS integer[])) AS t(d, c) ORDER BY d
        ON CONFLICT (dim) DO UPDATE SET df = match_terms.df + EXCLUDED.df
    """), {"dims": keys, "counts": [sign * counts[k] for k in keys]})


def _remove(session: Session, ids: Sequence[int]) -> int:
    """Drop the rows of these postings; returns how many there were."""
    if not ids:
        return 0
    gone = session.execute(text("DELETE FROM match_docs WHERE posting_id = ANY(:ids) RETURNING lex_dims"),
                           {"ids": list(ids)}).scalars().all()
    session.execute(text("DELETE FROM match_rows WHERE posting_id = ANY(:ids)"), {"ids": list(ids)})
    _count_terms(session, [d for dims in gone for d in dims], -1)
    return len(gone)


def _move_n(session: Session, delta: int) -> None:
    if delta:
        session.execute(text("""
            INSERT INTO match_meta (key, value) VALUES ('n', :d)
            ON CONFLICT (key) DO UPDATE SET value = match_meta.value + EXCLUDED.value
        """), {"d": delta})


def sync(session: Session, ids: Iterable[int], occupations: OccupationIndex | None = None) -> int:
    """Bring the rows of these postings in line with them: an open posting with a vector for its
    current content is (re)written, any other is removed. Returns the rows written."""
    from web.services.index import INDEX_LOADS, to_doc

    wanted = sorted({int(i) for i in ids})
    written = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start:start + BATCH]
        postings = {p.id: p for p in session.scalars(
            select(Posting).where(Posting.id.in_(chunk), Posting.status == "open").options(*INDEX_LOADS))}
        vectors: dict[int, tuple[str, bytes]] = {}
        for pid, model_id, digest, blob in session.execute(
                select(PostingEmbedding.posting_id, PostingEmbedding.model_id, PostingEmbedding.content_hash,
                       PostingEmbedding.vector)
                .where(PostingEmbedding.posting_id.in_(list(postings)))
                .order_by(PostingEmbedding.created_at)):
            if postings[pid].content_hash == digest:
                vectors[pid] = (model_id, blob)  # the latest vector of the current content wins
        removed = _remove(session, chunk)
        ready = [postings[pid] for pid in chunk if pid in vectors]
        docs = [to_doc(p) for p in ready]
        found = predict_unique(occupations or default_occupation_index(), [d.title for d in docs])
        rows, extras, tfs = [], [], []
        for doc, occ in zip(docs, found, strict=True):
            model_id, blob = vectors[int(doc.id)]
            row, extra, tf = row_values(doc, np.frombuffer(blob, dtype=np.float32), model_id, occ)
            rows.append(row)
            extras.append(extra)
            tfs.append(tf)
        if rows:
            _count_terms(session, [d for tf in tfs for d in tf], 1)
            _move_n(session, len(rows) - removed)
            lexicon = read_lexicon(session)
            for row, tf in zip(rows, tfs, strict=True):
                row["lex_norm"] = lexicon.row_norm(tf)
            session.execute(_INSERT_ROW, rows)
            session.execute(_INSERT_DOC, extras)
        else:
            _move_n(session, -removed)
        written += len(rows)
    return written


def refresh_lexicon(session: Session) -> int:
    """Recount every term's document frequency and the rows, recompute every row's TF-IDF norm,
    and move the generation (queries encoded before are encoded again). Returns the rows."""
    session.execute(text("DELETE FROM match_terms"))
    session.execute(text("""
        INSERT INTO match_terms (dim, df)
        SELECT d, count(*) FROM match_docs, unnest(lex_dims) AS d GROUP BY d
    """))
    n = session.execute(text("SELECT count(*) FROM match_rows")).scalar() or 0
    session.execute(text("""
        INSERT INTO match_meta (key, value) VALUES ('n', :n), ('generation', 1)
        ON CONFLICT (key) DO UPDATE SET value = CASE WHEN match_meta.key = 'n' THEN EXCLUDED.value
                                                     ELSE match_meta.value + 1 END
    """), {"n": n})
    session.execute(text("""
        UPDATE match_rows r SET lex_norm = s.norm
        FROM (SELECT d.posting_id,
                     sqrt(sum((t.tf * (ln((1 + CAST(:n AS double precision)) / (1 + m.df)) + 1)) ^ 2)) AS norm
              FROM match_docs d, unnest(d.lex_dims, d.lex_tfs) AS t(dim, tf)
              JOIN match_terms m ON m.dim = t.dim
              GROUP BY d.posting_id) s
        WHERE r.posting_id = s.posting_id
    """), {"n": n})
    return int(n)


def frequencies(session: Session, dims: Sequence[int]) -> dict[int, int]:
    """The document frequency of each of these term dimensions (absent: 0)."""
    if not dims:
        return {}
    found = session.execute(text("SELECT dim, df FROM match_terms WHERE dim = ANY(:dims)"),
                            {"dims": list(dims)})
    return {int(dim): int(df) for dim, df in found}


def read_lexicon(session: Session) -> Lexicon:
    """The document frequencies as they stand in this session's transaction."""
    found = session.execute(text("SELECT key, value FROM match_meta"))
    values = {str(key): int(value) for key, value in found}
    return Lexicon(n=values.get("n", 0), lookup=functools.partial(frequencies, session),
                   generation=values.get("generation", 0))


# --- reading -------------------------------------------------------------------------------

# The first stage's approximate score: the dense (USE; MiniLM between English texts) and lexical
# cosines weighted by the scripts of both sides as ``signals.text_signals`` weighs them,
# proximity, recency, trust, pay and the query's confidence in the row's first occupation,
# computed once per row (``OFFSET 0`` keeps the subquery whole).
_COSINES = """1 - (r.use_vec <=> CAST(:u AS halfvec)) AS c_use,
        CASE WHEN r.lex_norm > 0 THEN -(r.lex <#> CAST(:x AS sparsevec)) / r.lex_norm ELSE 0 END AS c_lex"""
_SCORED = """SELECT r.posting_id, """ + _COSINES + """,
        CASE WHEN :lq > 0 AND r.latin > 0 AND r.en_vec IS NOT NULL AND CAST(:e AS halfvec) IS NOT NULL
             THEN 1 - (r.en_vec <=> CAST(:e AS halfvec)) ELSE 0 END AS c_mini,
        {km} AS km, r.posted_day, r.trust, r.wage_top, r.occ_code, r.zh, r.latin
    FROM match_rows r WHERE {where} OFFSET 0"""
_APPROX = f"""(c_use * (:wd + (:wdue - :wd) * :lq * latin) + c_mini * :wde * :lq * latin
        + c_lex * (:wl * :zq * zh + :wle * :lq * latin)
        + CASE WHEN km IS NULL THEN {sig.UNKNOWN} ELSE exp(-km / :scale) END * :wp
        + CASE WHEN posted_day IS NULL OR CAST(:today AS double precision) IS NULL THEN {sig.UNKNOWN}
               ELSE exp(-greatest(:today - posted_day, 0) / {sig.RECENCY_SCALE_DAYS}) END * :wr
        + trust * :wt
        + CASE WHEN wage_top IS NULL OR CAST(:pay AS double precision) IS NULL THEN {sig.UNKNOWN}
               ELSE least(1.0, wage_top / :pay) END * :wy
        + coalesce((CAST(:confs AS double precision[]))[array_position(CAST(:occs AS text[]), occ_code)], 0)
          * :wo)"""
_FACTS = """r.posting_id, r.pos[1] AS lat, r.pos[0] AS lon, r.housing, r.wage_top, r.type_code,
            r.job_months, r.posted_day, r.trust, r.zh, r.latin, r.lex_norm, b.c_use,
            CASE WHEN r.en_vec IS NULL OR CAST(:e AS halfvec) IS NULL THEN 0
                 ELSE 1 - (r.en_vec <=> CAST(:e AS halfvec)) END AS c_en,
            b.c_lex, CAST(d.occupations AS text)"""
# The SQL parameters of the fitted weights ``_APPROX`` reads.
_WEIGHT_PARAMS = {"wd": "dense", "wdue": "dense_use_en", "wde": "dense_en", "wl": "lexical",
                  "wle": "lexical_en", "wp": "proximity", "wr": "recency", "wt": "trust", "wy": "pay",
                  "wo": "occupation"}
_KM = f"""(2 * {EARTH_RADIUS_KM} * asin(sqrt(least(1.0,
            sin(radians(r.pos[1] - :lat) / 2) ^ 2
            + cos(radians(:lat)) * cos(radians(r.pos[1])) * sin(radians(r.pos[0] - :lon) / 2) ^ 2))))"""


def _best(where: str, km: str, radius: bool, limit: str = ":keep") -> str:
    """The ``limit`` best rows of ``where`` by the approximate score."""
    scored = _SCORED.format(km=km, where=where)
    near = "WHERE km <= :km" if radius else ""
    return (f"SELECT posting_id, c_use, c_lex FROM ({scored}) s {near}"
            f" ORDER BY {_APPROX} DESC, posting_id LIMIT {limit}")


_PARSED: dict[str, tuple[Occupation, ...]] = {}
_PARSED_MAX = 100_000


def _occupations(stored: str) -> tuple[Occupation, ...]:
    """A row's stored occupations, parsed once per distinct value (postings share titles): one
    tuple object per value, so the matcher computes a query's signals once per distinct value."""
    found = _PARSED.get(stored)
    if found is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        found = _PARSED[stored] = tuple(Occupation(c, n, float(f), e) for c, n, f, e in json.loads(stored))
    return found


def _newest_housed(condition: str) -> str:
    """The newest ``OCCUPATION_SCAN`` housed postings meeting ``condition`` (read from an index)."""
    return (f"r.posting_id IN (SELECT posting_id FROM match_rows"
            f" WHERE housing AND pos IS NOT NULL {condition}"
            f" ORDER BY posted_day DESC NULLS LAST LIMIT {OCCUPATION_SCAN}) AND r.model_id = :m")


class PgStore:
    """``matching.shortlist.RowStore`` over the match tables, read through one session."""

    def __init__(self, session: Session, model_id: str):
        self.session = session
        self.model_id = model_id

    def lexicon(self) -> Lexicon:
        """Document frequencies as of now."""
        return read_lexicon(self.session)

    def document_frequencies(self, dims: Sequence[int]) -> Mapping[int, int]:
        """The document frequency of each of these term dimensions."""
        return frequencies(self.session, dims)

    def size(self) -> int:
        """Matchable postings."""
        return int(self.session.execute(text("SELECT count(*) FROM match_rows WHERE model_id = :m"),
                                        {"m": self.model_id}).scalar() or 0)

    def _params(self, stage: FirstStage) -> dict[str, Any]:
        v = np.asarray(stage.vector, dtype=np.float32)
        query = stage.query
        # The query's lexical weights times each term's IDF: the dot product with a row's term
        # frequencies, divided by the row's norm, is the TF-IDF cosine.
        weights = {d: w * stage.idf[d] for d, w in stage.lexical.items()}
        return {"u": halfvec(v[:USE_DIM]),
                "e": halfvec(v[USE_DIM:USE_DIM + MINILM_DIM]) if len(v) >= USE_DIM + MINILM_DIM else None,
                "x": sparsevec(weights), "m": self.model_id, "keep": stage.keep,
                "part": max(stage.keep // 2, stage.query_limit),
                "lat": query.lat, "lon": query.lon, "km": query.max_km,
                **{param: stage.weights.get(name, 0.0) for param, name in _WEIGHT_PARAMS.items()},
                "zq": stage.scripts[0], "lq": stage.scripts[1], "scale": stage.proximity_scale_km,
                "codes": list(stage.occupations), "occs": [c for c, _ in stage.occupation_weights],
                "confs": [w for _, w in stage.occupation_weights],
                "today": None if query.today is None else sig.day_number(query.today),
                "pay": float(query.wage_expectation) if query.wage_expectation else None}

    def _near_sql(self, query: Query) -> tuple[str, dict[str, Any]]:
        """The radius's bounding box on the GiST index (the exact distance is the caller's: the
        shortlist filters on the distance it computes anyway, ``reach`` adds ``_KM``)."""
        assert query.lat is not None and query.lon is not None and query.max_km is not None
        dlat = query.max_km / _DEGREE_KM
        dlon = dlat / max(math.cos(math.radians(min(abs(query.lat) + dlat, 89.9))), 1e-6)
        box = {"lon0": query.lon - dlon, "lat0": query.lat - dlat, "lon1": query.lon + dlon,
               "lat1": query.lat + dlat}
        return "r.model_id = :m AND r.pos <@ box(point(:lon0, :lat0), point(:lon1, :lat1))", box

    def shortlist(self, stage: FirstStage) -> Candidates:
        """At most ``keep`` candidates by the first stage's approximate score (dense and lexical
        cosines, proximity, recency, trust, pay): within the radius; for a worker who relocates,
        also among the newest housed postings of the query's occupation and of any, and the
        housed postings nearest the query's vector (the HNSW index); with no home or radius,
        among all."""
        params = self._params(stage)
        query = stage.query
        parts = []
        located = query.lat is not None and query.lon is not None
        km = _KM if located else "CAST(NULL AS double precision)"
        if located and query.max_km is not None:
            where, box = self._near_sql(query)
            params.update(box)
            parts.append(_best(where, km, radius=True))
            if query.will_relocate:
                housed = "r.model_id = :m AND r.housing AND r.pos IS NOT NULL"
                if stage.occupations:
                    parts.append(_best(_newest_housed("AND occ_code = ANY(:codes)"), km, radius=False,
                                       limit=":part"))
                parts.append(_best(_newest_housed(""), km, radius=False, limit=":part"))
                self.session.execute(text(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, params['part'])}"))
                parts.append(f"""SELECT r.posting_id, {_COSINES} FROM match_rows r WHERE {housed}
                    ORDER BY r.use_vec <=> CAST(:u AS halfvec) LIMIT :part""")
        else:
            parts.append(_best("r.model_id = :m", km, radius=False))
        union = " UNION ".join(f"({p})" for p in parts)
        rows = self.session.execute(text(f"SELECT {_FACTS} FROM ({union}) b JOIN match_rows r USING"
                                         " (posting_id) JOIN match_docs d USING (posting_id)"), params).all()
        return self._candidates(rows)

    def _candidates(self, rows: Sequence[Any]) -> Candidates:
        seen: dict[int, Any] = {}
        for r in rows:
            seen.setdefault(int(r[0]), r)
        rows = list(seen.values())
        ids = [int(r[0]) for r in rows]

        def column(i: int, dtype: Any = float) -> np.ndarray:
            return np.array([np.nan if r[i] is None else r[i] for r in rows], dtype=dtype)

        return Candidates(
            ids=np.array(ids, dtype=np.int64),
            cosines=np.column_stack([column(12), column(13)]).astype(np.float32).reshape(len(rows), 2),
            lexical=column(14), lexical_norm=column(11), lat=column(1), lon=column(2),
            scripts=np.column_stack([column(9), column(10)]).reshape(len(rows), 2),
            occupations=[_occupations(r[15]) for r in rows],
            wage_top=column(4), housing=np.array([bool(r[3]) for r in rows], dtype=bool),
            type_code=np.array([r[5] for r in rows], dtype=np.int8),
            job_months=np.array([r[6] for r in rows], dtype=np.int16),
            posted_days=column(7), trust=column(8))

    def docs(self, ids: Sequence[int]) -> list[PostingDoc]:
        """The postings as stored with their rows, in the order asked."""
        found: dict[int, dict[str, Any]] = {int(pid): doc for pid, doc in self.session.execute(
            text("SELECT posting_id, doc FROM match_docs WHERE posting_id = ANY(:ids)"), {"ids": list(ids)})}
        return [doc_from_json(found[i]) for i in ids]

    def reach(self, query: Query) -> Reach:
        """Counted in the database: the postings within reach, the housed ones, first occupations."""
        params: dict[str, Any] = {"m": self.model_id}
        if query.lat is None or query.lon is None or query.max_km is None:
            where = "r.model_id = :m"
        else:
            near, box = self._near_sql(query)
            where = f"{near} AND {_KM} <= :km"
            params.update(box, lat=query.lat, lon=query.lon, km=query.max_km)
            if query.will_relocate:
                where = f"({where}) OR (r.model_id = :m AND r.housing AND r.pos IS NOT NULL)"
        rows = self.session.execute(text(f"""
            SELECT d.occupations -> 0 ->> 0, d.occupations -> 0 ->> 1, count(*),
                   count(*) FILTER (WHERE r.housing)
            FROM match_rows r JOIN match_docs d USING (posting_id) WHERE {where}
            GROUP BY 1, 2"""), params).all()
        first = {(code, name): int(count) for code, name, count, _ in rows if code is not None}
        return Reach(count=sum(int(r[2]) for r in rows), housed=sum(int(r[3]) for r in rows),
                     first_occupations=first)
