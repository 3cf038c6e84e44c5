"""Mutation score per module from a ``mutmut run`` (``make mutation``).

Reads mutmut's results (``mutants/**/*.py.meta``) and the list of equivalent or purely cosmetic
survivors in ``docs/testing.md`` (table rows whose first cell is a mutant name in backticks),
then prints, for every mutated file and every module group, the mutants killed among the
non-equivalent ones.  Exit status 1 when a group is below the target (90 %), when mutants were
left unchecked, or when a listed name no longer survives (a stale list).

Usage::

    python tests/mutation_score.py [--target 0.9] [--survivors] [--root .]

Not collected by pytest (the file name does not start with ``test_``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# mutmut 3 exit codes (mutmut/stats.py): 1 and 3 are kills; timeouts and crashes are
# detections too (the mutant did not pass the tests).
KILLED = {1, 3}
DETECTED = {36, 24, -24, 152, 255, -11, -9, 37}
SURVIVED = {0}
NO_TESTS = {5, 33}
NOT_CHECKED = {None}

GROUPS = {
    "inference": "eventstudy/inference/",
    "events": "eventstudy/events.py",
    "evaluation": "eventstudy/evaluation/",
    "signals": "eventstudy/signals/",
    "crosssection": "eventstudy/crosssection/",
    "backtest": "eventstudy/backtest/",
}

_ROW = re.compile(r"^\|\s*`([^`\s]+__mutmut_\d+)`\s*\|")


@dataclass
class Tally:
    total: int = 0
    killed: int = 0
    equivalent: int = 0
    survived: list[str] = field(default_factory=list)
    no_tests: list[str] = field(default_factory=list)
    not_checked: int = 0

    @property
    def score(self) -> float:
        counted = self.total - self.equivalent
        return self.killed / counted if counted else 1.0

    def add(self, other: Tally) -> None:
        self.total += other.total
        self.killed += other.killed
        self.equivalent += other.equivalent
        self.survived += other.survived
        self.no_tests += other.no_tests
        self.not_checked += other.not_checked


def equivalent_mutants(doc: Path) -> set[str]:
    """Mutant names listed in the equivalent-survivor tables of ``docs/testing.md``."""
    if not doc.is_file():
        return set()
    return {m.group(1) for line in doc.read_text().splitlines() if (m := _ROW.match(line))}


def tally(root: Path, equivalent: set[str]) -> tuple[dict[str, Tally], set[str]]:
    """Per-file tallies and the listed names that are still alive (not stale)."""
    files: dict[str, Tally] = {}
    listed_alive: set[str] = set()
    for meta in sorted((root / "mutants" / "eventstudy").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if not codes:
            continue
        name = str(meta.relative_to(root / "mutants").with_suffix("").as_posix())
        t = Tally(total=len(codes))
        for key, code in codes.items():
            if key in equivalent and code in SURVIVED | NO_TESTS:
                t.equivalent += 1
                listed_alive.add(key)
            elif code in KILLED | DETECTED:
                t.killed += 1
            elif code in NOT_CHECKED:
                t.not_checked += 1
            elif code in NO_TESTS:
                t.no_tests.append(key)
            else:
                t.survived.append(key)
        files[name] = t
    return files, listed_alive


def group_of(path: str) -> str:
    for group, prefix in GROUPS.items():
        if path.startswith(prefix):
            return group
    return "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--target", type=float, default=0.90)
    parser.add_argument("--survivors", action="store_true", help="list every survivor")
    args = parser.parse_args(argv)
    root: Path = args.root
    if not (root / "mutants").is_dir():
        print("no mutants/ folder: run `make mutation` (mutmut run) first", file=sys.stderr)
        return 2
    equivalent = equivalent_mutants(root / "docs" / "testing.md")
    files, listed_alive = tally(root, equivalent)
    groups: dict[str, Tally] = {}
    header = (
        f"{'module':44s} {'mutants':>7s} {'killed':>6s} {'equiv':>5s} {'alive':>5s} {'score':>7s}"
    )
    print(header)
    print("-" * len(header))
    for name, t in files.items():
        groups.setdefault(group_of(name), Tally()).add(t)
        alive = len(t.survived) + len(t.no_tests)
        print(
            f"{name:44s} {t.total:7d} {t.killed:6d} {t.equivalent:5d} {alive:5d} {t.score:7.1%}"
            + (f"  ({t.not_checked} not checked)" if t.not_checked else "")
        )
    print("-" * len(header))
    failed = False
    for group, t in groups.items():
        alive = len(t.survived) + len(t.no_tests)
        mark = "ok" if t.score >= args.target else f"BELOW {args.target:.0%}"
        failed |= t.score < args.target or t.not_checked > 0
        print(
            f"{group:44s} {t.total:7d} {t.killed:6d} {t.equivalent:5d} {alive:5d} {t.score:7.1%}  {mark}"
        )
    total = Tally()
    for t in groups.values():
        total.add(t)
    print(
        f"{'all':44s} {total.total:7d} {total.killed:6d} {total.equivalent:5d} "
        f"{len(total.survived) + len(total.no_tests):5d} {total.score:7.1%}"
    )
    stale = sorted(equivalent - listed_alive)
    if stale:
        failed = True
        print(
            f"\n{len(stale)} mutant(s) listed as equivalent in docs/testing.md no longer survive "
            "(killed, renamed or not run): remove them from the list"
        )
        for name in stale[:50]:
            print(f"  {name}")
    alive_names = total.survived + total.no_tests
    if alive_names:
        by_fn = Counter(n.partition("__mutmut_")[0] for n in alive_names)
        print(
            f"\n{len(alive_names)} survivor(s) neither killed nor listed as equivalent; by function:"
        )
        for fn, count in by_fn.most_common(None if args.survivors else 15):
            print(f"  {count:4d}  {fn}")
        if args.survivors:
            for name in alive_names:
                print(f"  {name}")
        print("`mutmut show NAME` shows a mutant; `mutmut browse` walks them all.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
