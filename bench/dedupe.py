"""Score the same-job judgment on labelled pairs: precision, recall and every wrong pair.

    python -m bench.dedupe tests/jobs_ingest/data/dedupe_dev.jsonl [--today 2026-11-28] [--json]

Each line of the file is ``{"a": {fields}, "b": {fields}, "same": true|false, "kind": "..."}``;
fields are raw-item fields as sources map them (title, employer, place_text, pay_text,
description, url, posted, valid_through, source_kind; any other standard field such as
benefits_text or type_text passes through). Each side goes through the real normalisation
(``jobs_ingest.pipeline.build_record`` with the default gazetteer), then
``jobs_ingest.dedupe.same_job`` judges the pair, with the stricter one-source bar where both
sides read as one source's listings (same source_kind and URL host, or neither has a URL:
``one_source``), as the store applies it; two sides with one canonical URL are one posting, as
the store decides before any judgment. A side the pipeline rejects (no title, …) is
reported and judged "not the same" (a rejected item is never merged). Prints precision, recall,
the counts by kind, and each wrong pair with the judgment's reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jobs_ingest.clock import china_today
from jobs_ingest.dedupe import Match, same_job
from jobs_ingest.pipeline import build_record
from jobs_ingest.records import PostingRecord, RawItem, Rejected
from places import Gazetteer, default_gazetteer

# Names the labelled files use → the raw-item field names sources produce.
ALIASES = {"posted": "posted_text", "valid_through": "valid_through_text", "pay": "pay_text",
           "place": "place_text", "benefits": "benefits_text", "type": "type_text",
           "headcount": "headcount_text", "updated": "updated_text"}


def raw_item(fields: dict[str, Any], external_id: str) -> RawItem:
    """A pair side as the source would have delivered it."""
    mapped = {ALIASES.get(k, k): v for k, v in fields.items() if k != "source_kind" and v is not None}
    mapped.setdefault("external_id", external_id)
    return RawItem(fields=mapped, excerpt=json.dumps(fields, ensure_ascii=False)[:500])


def normalise(fields: dict[str, Any], external_id: str, gazetteer: Gazetteer,
              today: date) -> PostingRecord | str:
    """The record the pipeline makes of one side, or the reason it was rejected."""
    try:
        return build_record(raw_item(fields, external_id), gazetteer, today)
    except Rejected as rejected:
        return f"rejected: {rejected}"


@dataclass
class Score:
    """Counts over the pairs, and the pairs judged wrong."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    wrong_by_kind: Counter[str] = field(default_factory=Counter)
    wrong: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Share of pairs judged the same that are the same (1.0 when none were judged so)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of pairs labelled the same that were judged so (1.0 when none are)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def judge_pair(pair: dict[str, Any], n: int, gazetteer: Gazetteer, today: date) -> Match:
    """The judgment on one labelled pair, through the real normalisation."""
    a = normalise(pair["a"], f"a{n}", gazetteer, today)
    b = normalise(pair["b"], f"b{n}", gazetteer, today)
    if isinstance(a, str) or isinstance(b, str):
        return Match(False, "; ".join(s for s in (a, b) if isinstance(s, str)))
    if a.canonical_url and a.canonical_url == b.canonical_url:
        return Match(True, "one canonical URL (the store keeps one posting per URL)")
    return same_job(a, b, one_source=one_source(pair["a"], pair["b"]))


def one_source(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether the two sides read as one source's two listings, as the store would know them: the
    same source kind and, where both have URLs, the same host (two rows of one sheet have none).
    The store then holds them to the stricter one-source bar (``same_job(one_source=True)``)."""
    kind = a.get("source_kind")
    if not kind or kind != b.get("source_kind"):
        return False
    hosts = {urlsplit(str(side.get("url") or "")).netloc.lower() for side in (a, b)}
    return len(hosts) == 1


def score(pairs: list[dict[str, Any]], gazetteer: Gazetteer, today: date) -> Score:
    """Judge every pair and count."""
    result = Score()
    for n, pair in enumerate(pairs, start=1):
        match, label, kind = judge_pair(pair, n, gazetteer, today), bool(pair["same"]), pair.get("kind", "")
        result.by_kind[kind] += 1
        if match.same and label:
            result.tp += 1
        elif match.same:
            result.fp += 1
        elif label:
            result.fn += 1
        else:
            result.tn += 1
        if match.same != label:
            result.wrong_by_kind[kind] += 1
            result.wrong.append({"line": n, "kind": kind, "labelled_same": label, "why": match.why,
                                 "a": pair["a"].get("title"), "b": pair["b"].get("title")})
    return result


def read_pairs(path: Path) -> list[dict[str, Any]]:
    """The labelled pairs of a JSON-lines file (blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def report(path: Path, result: Score, out: Any) -> None:
    """Print the figures and the wrong pairs in plain text."""
    total = result.tp + result.fp + result.fn + result.tn
    same = result.tp + result.fn
    print(f"{path}: {total} pairs ({same} same, {total - same} different)", file=out)
    print(f"precision {result.precision:.3f}  recall {result.recall:.3f}  "
          f"(tp {result.tp}, fp {result.fp}, fn {result.fn}, tn {result.tn})", file=out)
    for kind, count in sorted(result.by_kind.items()):
        print(f"  {kind or '(no kind)'}: {count} pairs, {result.wrong_by_kind[kind]} wrong", file=out)
    for wrong in result.wrong:
        said = "false merge" if not wrong["labelled_same"] else "missed"
        print(f"  line {wrong['line']} [{wrong['kind']}] {said}: {wrong['a']} | {wrong['b']}"
              f" — {wrong['why']}", file=out)


def main(argv: list[str] | None = None) -> int:
    """Run the scoring command."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="labelled pairs, one JSON object a line")
    parser.add_argument("--today", type=date.fromisoformat, default=china_today(),
                        help="the day relative dates and expiry are read against (default: today)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args(argv)
    result = score(read_pairs(args.file), default_gazetteer(), args.today)
    if args.json:
        print(json.dumps({"precision": result.precision, "recall": result.recall, "tp": result.tp,
                          "fp": result.fp, "fn": result.fn, "tn": result.tn, "wrong": result.wrong},
                         ensure_ascii=False))
    else:
        report(args.file, result, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
