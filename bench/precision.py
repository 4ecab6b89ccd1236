"""Precision and recall of the row-level checks on hand-labelled real files (`make precision`).

    python bench/precision.py             # prints the figures, writes bench/precision.md
    python bench/precision.py --no-write  # prints only

The labels are tests/realdata/labels.csv (how they were made: tests/realdata/README.md):
one row per (file, physical line, check), expected yes, no or unsure. This script
validates every corpus file the labels name, with the period its file name gives,
maps each reported problem to (file, physical line, label name) through CHECKS below,
and scores the yes/no labels (unsure ones are left out).

The corpus has no organogram orphans, so orphan recall is measured on copies of the
three organogram pairs with orphans planted in them (PLANTED below: a reference that
exists nowhere, one that differs only in letter case, one that differs only in
whitespace), written to a temporary folder. The planted lines are scored as yes, every
other labelled line of the copies keeps its label.

The corpus is ../shared/corpus beside the repository, or $OPENBOOK_CORPUS.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import openbook  # noqa: E402

LABELS = ROOT / "tests" / "realdata" / "labels.csv"
OUT = HERE / "precision.md"

# label name -> (check codes that count as reporting it, fields they must be on (None: any))
CHECKS = {
    "duplicate-line": (("duplicate-line",), None),
    "named-individual": (("named-individual",), None),
    "non-expenditure": (("non-expenditure",), None),
    "total-row": (("total-row",), None),
    "blank-row": (("blank-row",), None),
    "out-of-period": (("date-outside-period",), None),
    # a senior post reporting to a missing post, or a junior post whose senior post is missing
    "orphan": (("reports-to-missing", "foreign-key", "reporting-post-mismatch"),
               {"Reports to Senior Post", "Reporting Senior Post"}),
}
# The targets of issue 16 (recall); precision must be >= 90% for every check that reports.
RECALL_TARGET = {"duplicate-line": 90, "total-row": 90, "out-of-period": 90, "orphan": 90,
                 "named-individual": 70, "non-expenditure": 70}
PRECISION_TARGET = 90

# The period of each file, from its file name (tests/realdata/README.md, out-of-period).
PERIODS = {
    "devon/DCCSpendingOver500_201008.xls": "2010-08",
    "devon/DCCSpendingOver500_201308.csv": "2013-08",
    "devon/DCCSpendingOver500_201407.csv": "2014-07",
    "devon/DCCSpendingOver500_201711.csv": "2017-11",
    "devon/DCCSpendingOver500_202504.csv": "2025-04",
    "devon/DCCSpendingOver500_202601.csv": "2026-01",
    "devon/DCCSpendingOver500_202603.csv": "2026-03",
    "trafford/supplier_spend/trafford-supplier-spend-2026-27.csv": "2026-27",
    "trafford/government_procurement_card_transactions/government_procurement_card_transactions_2026-27.csv":
        "2026-27",
    "odileeds/leeds/raw/2011-04.csv": "2011-04",
    "odileeds/northtyneside/clean/2021-09_p.csv": "2021-09",
    "odileeds/manchester/clean/2022-05.csv": "2022-05",
    "odileeds/darlington/clean/2022-09.csv": "2022-09",
    "odileeds/newcastle/clean/2022-08.csv": "2022-08",
    "odileeds/gateshead/clean/2011-04.csv": "2011-04",
}

# Organogram pairs: validated together, so that junior posts find their senior posts.
PAIRS = {
    "organograms/attorney_generals_office-2011-09-30": "ago",
    "organograms/home_office-2012-09-30": "home office",
    "organograms/department_for_international_development-2014-09-30": "dfid",
}
# Planted orphans: (pair, senior|junior, physical line, how the reference is changed).
# "missing": a reference no post has; "case": the parent's reference in lower case;
# "space": the parent's reference with a space inside it.
PLANTED = [
    ("organograms/attorney_generals_office-2011-09-30", "junior", 2, "missing"),
    ("organograms/attorney_generals_office-2011-09-30", "junior", 5, "case"),
    ("organograms/attorney_generals_office-2011-09-30", "senior", 3, "space"),
    ("organograms/home_office-2012-09-30", "junior", 10, "case"),
    ("organograms/home_office-2012-09-30", "junior", 40, "space"),
    ("organograms/home_office-2012-09-30", "junior", 80, "missing"),
    ("organograms/home_office-2012-09-30", "senior", 20, "case"),
    ("organograms/home_office-2012-09-30", "senior", 30, "missing"),
    ("organograms/department_for_international_development-2014-09-30", "junior", 7, "space"),
    ("organograms/department_for_international_development-2014-09-30", "junior", 30, "case"),
    ("organograms/department_for_international_development-2014-09-30", "senior", 10, "missing"),
    ("organograms/department_for_international_development-2014-09-30", "senior", 12, "case"),
]


def corpus_dir() -> Path:
    return Path(os.environ.get("OPENBOOK_CORPUS") or ROOT.parent / "shared" / "corpus")


def load_labels() -> list[dict]:
    with open(LABELS, newline="", encoding="utf-8") as f:
        return [dict(r, line=int(r["line"])) for r in csv.DictReader(f)]


def reported(report, rel_of: dict[str, str]) -> dict[tuple[str, int, str], list[str]]:
    """(file, line, label name) -> the messages of the problems that report it."""
    found: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    for t in report.tables:
        rel = rel_of.get(str(Path(t.path).resolve()))
        if rel is None or not t.problems.height:
            continue
        for label, (codes, fields) in CHECKS.items():
            hits = t.problems.filter(t.problems["code"].is_in(list(codes)))
            for r in hits.iter_rows(named=True):
                if fields is not None and r["field"] not in fields:
                    continue
                if r["row"] is not None:
                    found[(rel, r["row"], label)].append(t.message(r))
    return found


def _orphan_reference(kind: str, parent: str) -> str:
    if kind == "missing":
        return "NOPOST" + parent[-2:] + "Z"
    if kind == "case":
        return parent.lower() if parent.lower() != parent else parent.upper()
    return parent[:len(parent) // 2] + " " + parent[len(parent) // 2:]


def plant(corpus: Path, work: Path) -> tuple[dict[str, Path], list[dict]]:
    """Copies of the organogram pairs with orphans planted; the labels of the planted lines."""
    copies, labels = {}, []
    for stem in PAIRS:
        for side in ("senior", "junior"):
            rel = f"{stem}-{side}.csv"
            src = corpus / rel
            lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
            header = next(csv.reader([lines[0]]))
            column = "Reports to Senior Post" if side == "senior" else "Reporting Senior Post"
            j = header.index(column)
            for pair, s, line, kind in PLANTED:
                if pair != stem or s != side:
                    continue
                row = next(csv.reader([lines[line - 1]]))
                while row[j].strip("'").upper() == "XX" or not re.search("[A-Za-z]", row[j]):
                    line += 1   # the top post has no parent to change: the next line that has one
                    row = next(csv.reader([lines[line - 1]]))
                parent = row[j].strip("'")
                row[j] = _orphan_reference(kind, parent)
                lines[line - 1] = ",".join('"' + v.replace('"', '""') + '"' for v in row) + "\r\n"
                labels.append({"file": rel, "line": line, "check": "orphan", "expected": "yes",
                               "note": f"planted ({kind}): {parent!r} -> {row[j]!r}", "how": "planted"})
            dst = work / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text("".join(lines), encoding="utf-8")
            copies[rel] = dst
    return copies, labels


def run(corpus: Path) -> tuple[list[dict], dict, float]:
    labels = load_labels()
    files = sorted({r["file"] for r in labels})
    found: dict = {}
    started = time.perf_counter()
    for rel in files:
        if rel.startswith("organograms/"):
            continue
        path = corpus / rel
        report = openbook.validate(str(path), period=PERIODS[rel], schema="spend")
        found.update(reported(report, {str(path.resolve()): rel}))
    for stem in PAIRS:   # the real pairs, for every check but orphans
        paths = {f"{stem}-{s}.csv": corpus / f"{stem}-{s}.csv" for s in ("senior", "junior")}
        report = openbook.validate([str(p) for p in paths.values()])
        for key, msgs in reported(report, {str(p.resolve()): rel for rel, p in paths.items()}).items():
            if key[2] != "orphan":
                found[key] = msgs
    with tempfile.TemporaryDirectory(prefix="openbook-precision-") as tmp:
        copies, planted = plant(corpus, Path(tmp))
        for stem in PAIRS:
            paths = {rel: p for rel, p in copies.items() if rel.startswith(stem)}
            report = openbook.validate([str(p) for p in paths.values()])
            for key, msgs in reported(report, {str(p.resolve()): rel for rel, p in paths.items()}).items():
                if key[2] == "orphan":
                    found[key] = msgs
    seconds = time.perf_counter() - started
    replaced = {(r["file"], r["line"], r["check"]) for r in planted}
    labels = [r for r in labels if (r["file"], r["line"], r["check"]) not in replaced] + planted
    return labels, found, seconds


def score(labels: list[dict], found: dict) -> tuple[dict, dict]:
    """Per label name: tp, fp, fn, tn, unsure; and the false positives and misses."""
    stats = {c: {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "unsure": 0, "unsure_reported": 0} for c in CHECKS}
    wrong: dict = {c: {"fp": [], "fn": []} for c in CHECKS}
    for r in labels:
        c = r["check"]
        hit = (r["file"], r["line"], c) in found
        s = stats[c]
        if r["expected"] == "unsure":
            s["unsure"] += 1
            s["unsure_reported"] += hit
        elif r["expected"] == "yes":
            s["tp" if hit else "fn"] += 1
            if not hit:
                wrong[c]["fn"].append(r)
        else:
            s["fp" if hit else "tn"] += 1
            if hit:
                wrong[c]["fp"].append(dict(r, message=found[(r["file"], r["line"], c)][0]))
    return stats, wrong


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "n/a"


def table(stats: dict) -> list[str]:
    out = ["| check | labelled yes | labelled no | reported yes (TP) | false positives | misses | precision "
           "| recall | target (P / R) | unsure (reported) |",
           "|---|--:|--:|--:|--:|--:|--:|--:|---|--:|"]
    for c, s in stats.items():
        p, r = pct(s["tp"], s["tp"] + s["fp"]), pct(s["tp"], s["tp"] + s["fn"])
        target = f"{PRECISION_TARGET}% / {RECALL_TARGET[c]}%" if c in RECALL_TARGET else f"{PRECISION_TARGET}% / –"
        out.append(f"| `{c}` | {s['tp'] + s['fn']} | {s['tn'] + s['fp']} | {s['tp']} | {s['fp']} | {s['fn']} "
                   f"| {p} | {r} | {target} | {s['unsure']} ({s['unsure_reported']}) |")
    return out


def listing(wrong: dict, limit: int = 8) -> list[str]:
    out = []
    for c, w in wrong.items():
        if not w["fp"] and not w["fn"]:
            continue
        out.append(f"\n### `{c}`\n")
        if w["fp"]:
            out.append(f"False positives ({len(w['fp'])}, first {min(limit, len(w['fp']))}):\n")
            for r in w["fp"][:limit]:
                out.append(f"- {r['file']}:{r['line']} ({r['note'][:90]}): “{r['message'][:160]}”")
        if w["fn"]:
            out.append(f"\nMisses ({len(w['fn'])}, first {min(limit, len(w['fn']))}):\n")
            for r in w["fn"][:limit]:
                out.append(f"- {r['file']}:{r['line']}: {r['note'][:140]}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true", help="print only; do not write bench/precision.md")
    ap.add_argument("--limit", type=int, default=8, help="false positives and misses listed per check")
    args = ap.parse_args()
    corpus = corpus_dir()
    if not corpus.is_dir():
        print(f"{corpus}: no corpus there. Set OPENBOOK_CORPUS to the folder of the real files.", file=sys.stderr)
        return 2
    labels, found, seconds = run(corpus)
    stats, wrong = score(labels, found)
    lines = table(stats)
    print("\n".join(lines))
    print("\n".join(listing(wrong, args.limit)))
    if not args.no_write:
        publishers = len({r["file"].split("/")[0] if not r["file"].startswith("odileeds") else r["file"].split("/")[1]
                          for r in labels})
        text = [
            "# Precision and recall on hand-labelled real files",
            "",
            "<!-- Written by `make precision` (python bench/precision.py). -->",
            "",
            "Command: `make precision` (or `python bench/precision.py`). Labels: `tests/realdata/labels.csv` "
            f"({len(labels):,} label rows over {len({r['file'] for r in labels})} files from {publishers} "
            "publishers, how they were made in `tests/realdata/README.md`); `unsure` labels are left out of "
            "the score. Each file is validated with the period its file name gives (bench/precision.py, "
            "PERIODS). Orphan labels are scored on copies of the organogram pairs with "
            f"{len(PLANTED)} orphans planted (missing, case-only and whitespace-only references; "
            f"bench/precision.py, PLANTED). openbook {openbook.__version__}, {seconds:.0f} s of validation.",
            "",
        ] + lines + ["", "## Worst remaining false positives and misses"] + listing(wrong, args.limit)
        extra = HERE / "precision-notes.md"
        if extra.exists():
            text += ["", extra.read_text(encoding="utf-8").rstrip()]
        OUT.write_text("\n".join(text) + "\n", encoding="utf-8")
        print(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
