"""Facts: the checkable numbers of a strategist's note, computed from the data with a verdict.

``[[facts]]`` entries (in a note file, see :mod:`eventstudy.facts.note`) are parsed by
:func:`parse_facts`, checked by :func:`check_note` / :func:`check_facts`, and returned as a
frozen :class:`FactTable` of :class:`FactResult` rows.
"""

from eventstudy.facts.note import (
    NoteConfig,
    check_facts,
    check_note,
    check_study_facts,
    load_note,
    parse_note,
)
from eventstudy.facts.results import VERDICTS, FactResult, FactTable
from eventstudy.facts.spec import FACT_KINDS, FactSpec, parse_facts

__all__ = [
    "FACT_KINDS",
    "VERDICTS",
    "FactResult",
    "FactSpec",
    "FactTable",
    "NoteConfig",
    "check_facts",
    "check_note",
    "check_study_facts",
    "load_note",
    "parse_facts",
    "parse_note",
]
