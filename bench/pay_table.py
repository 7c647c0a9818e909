"""Score the pay reader (``jobs_ingest.pay.parse_pay``) against a table of pay strings.

    python -m bench.pay_table FILE.jsonl [--show N] [--json]

Each line of FILE is ``{"text", "context", "unit", "low", "high", "open_ended", "swapped"}``:
what a careful reader claims for the text on a posting with that context (``unit`` null: no
rate can be claimed; ``low``/``high`` in yuan per that unit, null for an open or absent end).
A row is **exact** when the reader's unit, low, high, open_ended and swapped all agree. Every
other row is one of: a **false claim** (the reader gives a rate where the table has none, or a
different unit or figure), a **miss** (the table has a rate, the reader claims none), or a
**flag error** (unit and figures right, open_ended or swapped wrong). False claims are the ones
that matter most: a worker reads them as the job's pay.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobs_ingest.pay import Pay, parse_pay


@dataclass(frozen=True)
class Row:
    """One table row: the text, its posting's context and the expected reading."""

    line: int
    text: str
    context: str
    unit: str | None
    low: float | None
    high: float | None
    open_ended: bool
    swapped: bool


def load_rows(path: Path) -> list[Row]:
    """The table's rows; blank lines are skipped, a malformed one stops with its line number."""
    rows = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            rows.append(Row(number, str(data["text"]), str(data.get("context") or ""), data.get("unit"),
                            _number(data.get("low")), _number(data.get("high")),
                            bool(data.get("open_ended")), bool(data.get("swapped"))))
        except (ValueError, KeyError, TypeError) as error:
            raise SystemExit(f"{path}:{number}: not a table row ({error})") from error
    return rows


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 0.005)


def judge(row: Row, pay: Pay) -> str:
    """"exact", "false claim", "miss" or "flag error" for the reader's ``pay`` of ``row``."""
    figures_agree = pay.unit == row.unit and _same(pay.low, row.low) and _same(pay.high, row.high)
    if figures_agree:
        flags_agree = pay.open_ended == row.open_ended and pay.swapped == row.swapped
        return "exact" if flags_agree or row.unit is None else "flag error"
    return "miss" if pay.unit is None else "false claim"


def score(rows: Iterable[Row]) -> dict[str, Any]:
    """Counts per verdict, exact-match accuracy and the rows that were not exact."""
    counts = {"exact": 0, "false claim": 0, "miss": 0, "flag error": 0}
    wrong = []
    total = 0
    for row in rows:
        total += 1
        pay = parse_pay(row.text, row.context)
        verdict = judge(row, pay)
        counts[verdict] += 1
        if verdict != "exact":
            wrong.append({"line": row.line, "verdict": verdict, "text": row.text, "context": row.context,
                          "expected": [row.unit, row.low, row.high, row.open_ended, row.swapped],
                          "got": [pay.unit, pay.low, pay.high, pay.open_ended, pay.swapped]})
    claims = sum(1 for _ in wrong if _["verdict"] == "false claim")
    return {"rows": total, **counts, "accuracy": counts["exact"] / total if total else 0.0,
            "false_claim_rate": claims / total if total else 0.0, "wrong": wrong}


def main(argv: list[str] | None = None) -> int:
    """Print the score of FILE (exit 0; the numbers are the result)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--show", type=int, default=40, help="rows not exact to list (default 40)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    args = parser.parse_args(argv)
    result = score(load_rows(args.file))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"{args.file}: {result['rows']} rows")
    print(f"exact {result['exact']} ({result['accuracy']:.1%})  false claims {result['false claim']}"
          f"  misses {result['miss']}  flag errors {result['flag error']}")
    for item in result["wrong"][: args.show]:
        print(f"  line {item['line']} {item['verdict']}: {item['text']!r} (context {item['context']!r})"
              f" expected {item['expected']} got {item['got']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
