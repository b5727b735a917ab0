"""The verification report: run every registered check and say which claims hold.

    python -m simulations.verify [--quick] [--out DIR] [--only PREFIX] [--no-progress]

Imports the check modules (:func:`fdivtheory.checks.check_modules`: the core's and every
``fdivtheory/<subpackage>/checks.py``), runs each
registered check, prints one table (check id, claim, computed value, reference
or bound, tolerance, margin, PASS/FAIL/WARN, time) and writes the same table in
Markdown, with the package versions and the date, to ``OUT/report.md``
(default ``results/verify`` or ``results/verify-quick``).

A check that raises, or a check module that cannot be imported, is a FAIL row
carrying the exception's one-line message; the run goes on.  A failed
``conjecture`` check is a WARN.  The exit status is 1 if any row is FAIL,
2 for bad options, 0 otherwise.

In ``report.md`` every check id links to the section of the theory note that
states its claim and where its reference value or bound comes from
(:func:`theory_link`).  The rule: a check of area ``A`` is explained in
``docs/theory/<note>.md``, where ``<note>`` is ``A`` itself unless
:data:`THEORY_NOTES` maps the area (or a prefix of the check id) to another
note (the closed-form checks ``core.closed_form.*`` live in
``docs/theory/closed_form.md``); the section's anchor is :func:`slug` of the
check id (``core.closed_form.quadrature`` -> ``core-closed-form-quadrature``).
The link is relative to the directory the report is written to.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from fdivtheory import checks
from fdivtheory.provenance import provenance
from fdivtheory.sweep import one_line

__all__ = ["THEORY_NOTES", "Row", "format_markdown", "format_table", "main", "run_checks",
           "slug", "theory_link"]

_SYMBOL = {"at_most": "≤ ", "at_least": "≥ ", "close": "≈ ", "holds": ""}


#: Where the theory note of a check is not ``docs/theory/<area>.md``: keys are check-id
#: prefixes (ending in ".") or area names, values the note's file stem.  The longest
#: matching id prefix wins, then the area.
THEORY_NOTES: dict[str, str] = {
    "core.closed_form.": "closed_form",
    "augmentation": "gda",
    "projection": "pn_criterion",
}

#: The repository's theory notes (``docs/theory``), for the links of the report.
THEORY_DIR = Path(__file__).resolve().parent.parent / "docs" / "theory"


def slug(check_id: str) -> str:
    """The anchor of a check's section: lowercase, each non-alphanumeric run -> ``-``.

    >>> slug("core.closed_form.quadrature")
    'core-closed-form-quadrature'
    >>> slug("alignment.C6-conjecture")
    'alignment-c6-conjecture'
    """
    return re.sub(r"[^a-z0-9]+", "-", check_id.lower()).strip("-")


def theory_link(check_id: str, area: str) -> tuple[str, str]:
    """The theory note (file name under ``docs/theory``) and the anchor of a check.

    >>> theory_link("core.pinsker", "core")
    ('core.md', 'core-pinsker')
    >>> theory_link("core.closed_form.poisson_sum", "core")
    ('closed_form.md', 'core-closed-form-poisson-sum')
    """
    prefixes = [k for k in THEORY_NOTES if k.endswith(".") and check_id.startswith(k)]
    if prefixes:
        note = THEORY_NOTES[max(prefixes, key=len)]
    else:
        note = THEORY_NOTES.get(area, area)
    return f"{note}.md", slug(check_id)


@dataclass(frozen=True)
class Row:
    """One line of the report: one outcome of one check."""

    check_id: str
    label: str
    claim: str
    value: float
    reference: str
    tolerance: float
    margin: float
    status: str  # PASS, FAIL or WARN
    seconds: float
    note: str = ""
    area: str = ""  # empty for a check module that could not be imported (no link)

    @property
    def name(self) -> str:
        """The check id, with the sub-case label in brackets."""
        return f"{self.check_id} [{self.label}]" if self.label else self.check_id


def _error_row(check_id: str, claim: str, exc: BaseException, seconds: float = 0.0) -> Row:
    return Row(check_id, "", claim, math.nan, "", math.nan, math.nan, "FAIL", seconds,
               one_line(exc))


def load_checks() -> list[Row]:
    """Import the check modules; return a FAIL row for each one that cannot be imported."""
    try:
        checks.load_all()
        return []
    except Exception:
        rows = []
        for name in checks.check_modules():
            try:
                importlib.import_module(name)
            except Exception as exc:
                rows.append(_error_row(name, f"import the checks of {name}", exc))
        return rows


def _rows(check: checks.Check, quick: bool) -> list[Row]:
    start = time.perf_counter()
    try:
        outcomes = check.run(quick)
    except Exception as exc:
        row = _error_row(check.id, check.claim, exc, time.perf_counter() - start)
        return [replace(row, area=check.area)]
    seconds = time.perf_counter() - start
    failed = "WARN" if check.kind == "conjecture" else "FAIL"
    return [Row(check.id, o.label, check.claim, o.value,
                "" if o.relation == "holds" else f"{_SYMBOL[o.relation]}{_num(o.reference)}",
                o.tolerance, o.margin, "PASS" if o.passed else failed, seconds, o.note,
                check.area)
            for o in outcomes]


def run_checks(selected: Sequence[checks.Check], *, quick: bool,
               progress: bool = False) -> list[Row]:
    """Run ``selected`` checks; exceptions become FAIL rows, never abort the run."""
    from tqdm.auto import tqdm

    rows: list[Row] = []
    for check in tqdm(selected, desc="verify", unit="check", file=sys.stderr,
                      disable=True if not progress else None):
        rows.extend(_rows(check, quick))
    return rows


def _num(x: float, digits: int = 10) -> str:
    return "" if math.isnan(x) else f"{x:.{digits}g}"


def _cells(rows: Sequence[Row], claim_width: int | None) -> Iterator[list[str]]:
    """Table cells; a check's claim and time appear on its first outcome only."""
    previous = None
    for row in rows:
        first = row.check_id != previous
        previous = row.check_id
        claim = row.claim if first else ""
        if claim_width is not None and len(claim) > claim_width:
            claim = claim[:claim_width - 1] + "…"
        yield [row.name, claim, _num(row.value), row.reference, _num(row.tolerance, 3),
               _num(row.margin, 3), row.status, f"{row.seconds:.2f} s" if first else "",
               row.note]


_HEADER = ["check", "claim", "value", "reference", "tolerance", "margin", "status", "time"]


def format_table(rows: Sequence[Row], claim_width: int = 60) -> str:
    """The report as a plain-text table (claims cut to ``claim_width`` characters)."""
    cells = [_HEADER, *(c[:-1] for c in _cells(rows, claim_width))]
    widths = [max(len(c[j]) for c in cells) for j in range(len(_HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r.name}: {r.note}" for r in rows if r.status != "PASS" and r.note]
    return "\n".join(lines + (["", "Notes:", *notes] if notes else []))


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _linked(row: Row, theory: str) -> str:
    """The check cell of the Markdown table: the id linked to its theory-note section."""
    if not row.area:
        return _md(row.name)
    note, anchor = theory_link(row.check_id, row.area)
    cell = f"[{_md(row.check_id)}]({theory}/{note}#{anchor})"
    return f"{cell} [{_md(row.label)}]" if row.label else cell


def format_markdown(rows: Sequence[Row], *, quick: bool, date: str,
                    theory: str = "docs/theory") -> str:
    """The report as Markdown: summary, versions, then the full table with notes.

    Each check id links to ``{theory}/<note>.md#<anchor>`` (:func:`theory_link`);
    ``theory`` is the path of ``docs/theory`` as seen from where the report is read.
    """
    counts = {s: sum(r.status == s for r in rows) for s in ("PASS", "FAIL", "WARN")}
    info = provenance()
    lines = [
        "# fdivtheory verification report", "",
        f"- date: {date}",
        f"- mode: {'quick' if quick else 'full'} (`python -m simulations.verify"
        f"{' --quick' if quick else ''}`)",
        f"- outcomes: {len(rows)} — {counts['PASS']} PASS, {counts['FAIL']} FAIL, "
        f"{counts['WARN']} WARN",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in info.items() if k != "git_revision"),
        f"- git revision: {info['git_revision'] or 'unknown'}",
        "- seeds: every check fixes its own seeds, so a rerun gives the same numbers", "",
        "| " + " | ".join([*_HEADER, "note"]) + " |",
        "|" + "---|" * (len(_HEADER) + 1),
    ]
    lines += ["| " + " | ".join([_linked(row, theory), *(_md(c) for c in cells[1:])]) + " |"
              for row, cells in zip(rows, _cells(rows, None), strict=True)]
    return "\n".join(lines) + "\n"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m simulations.verify``; returns the exit status."""
    parser = _Parser(prog="python -m simulations.verify",
                     description="Run every registered theorem check and report which "
                                 "claims hold, by how much.")
    parser.add_argument("--quick", action="store_true", help="quick settings of every check")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where report.md goes (default: results/verify, or "
                             "results/verify-quick with --quick)")
    parser.add_argument("--only", metavar="PREFIX", help="only checks whose id starts so")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    prog = parser.prog
    out = args.out or Path("results") / ("verify-quick" if args.quick else "verify")
    try:
        rows = load_checks()
        selected = [c for c in checks.registered()
                    if args.only is None or c.id.startswith(args.only)]
        if args.only is not None and not selected:
            print(f"{prog}: error: no registered check id starts with {args.only!r}",
                  file=sys.stderr)
            return 2
        date = datetime.now(UTC).isoformat(timespec="seconds")
        rows += run_checks(selected, quick=args.quick, progress=not args.no_progress)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; no report written", file=sys.stderr)
        return 130
    try:
        out.mkdir(parents=True, exist_ok=True)
        theory = Path(os.path.relpath(THEORY_DIR, out.resolve())).as_posix()
        (out / "report.md").write_text(format_markdown(rows, quick=args.quick, date=date,
                                                       theory=theory), encoding="utf-8")
    except OSError as exc:
        print(format_table(rows))
        print(f"{prog}: error: cannot write {out / 'report.md'}: {exc}", file=sys.stderr)
        return 2
    print(format_table(rows))
    failed = sum(r.status == "FAIL" for r in rows)
    warned = sum(r.status == "WARN" for r in rows)
    print(f"\n{len(rows)} outcomes: {len(rows) - failed - warned} PASS, {failed} FAIL, "
          f"{warned} WARN; report in {out / 'report.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
