"""Errors and warnings raised by eventstudy.

Every error subclasses :class:`EventStudyError` and a builtin (``ValueError``,
``TypeError``, ``FileNotFoundError``) so callers can catch either.  Every warning
subclasses :class:`EventStudyWarning`; each message says how to fix or silence it,
e.g. ``warnings.filterwarnings("ignore", category=SuspiciousJumpWarning)``.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ConstantSeriesWarning",
    "DataCoverageWarning",
    "DataError",
    "DataFileNotFoundError",
    "DataRevisionWarning",
    "DroppedEventsWarning",
    "EventStudyError",
    "EventStudyWarning",
    "FewShiftsWarning",
    "IncompleteHorizonWarning",
    "LookAheadWarning",
    "OutputFolderError",
    "OverlappingEventsWarning",
    "PluginError",
    "SpliceAgreementWarning",
    "SuspiciousJumpWarning",
]


class EventStudyError(Exception):
    """Base class of every error raised on purpose by eventstudy."""


class DataError(EventStudyError, ValueError):
    """Input data is malformed: the message names the file, column and date or row."""


class DataFileNotFoundError(EventStudyError, FileNotFoundError):
    """A series or file could not be found; the message lists what is available."""


class ConfigError(EventStudyError, ValueError):
    """A study configuration is invalid; the message names the file and the key."""


class OutputFolderError(EventStudyError, FileExistsError):
    """An output folder holds files a run did not write (the message lists them)."""


class PluginError(EventStudyError, RuntimeError):
    """A registered extension (a test of your own or a plugin's) failed or returned an
    impossible result; the message names it and where it is defined."""


# --------------------------------------------------------------------------- warnings


class EventStudyWarning(UserWarning):
    """Base class of every warning issued by eventstudy."""


class SuspiciousJumpWarning(EventStudyWarning):
    """A daily move larger than the plausibility limit (50% for an index)."""


class SpliceAgreementWarning(EventStudyWarning):
    """Two spliced sources agree poorly on their overlap (return correlation < 0.999)."""


class DataCoverageWarning(EventStudyWarning):
    """Dates were dropped when aligning series, or data is sparser than expected."""


class ConstantSeriesWarning(EventStudyWarning):
    """A series has the same value on every date of the sample: it carries no information."""


class LookAheadWarning(EventStudyWarning):
    """A statistic uses data from after the date it is attached to (full-sample σ)."""


class IncompleteHorizonWarning(EventStudyWarning):
    """Events whose forward horizon runs past the end of the data."""


class DroppedEventsWarning(EventStudyWarning):
    """Events were dropped (too short an estimation window, outside the data, ...)."""


class OverlappingEventsWarning(EventStudyWarning):
    """Events of one stock whose event windows overlap, or one of whose event windows lies in
    another's estimation window: kept, and counted in the warning."""


# --- signals / events (reserved section) ----------------------------------------------


# --- evaluation / inference (reserved section) ----------------------------------------


class FewShiftsWarning(EventStudyWarning):
    """An evaluation sample of a sweep has fewer complete dates than the joint null's
    ``[sweep] shifts`` need to be distinct: its specifications' shifts repeat (the other
    samples keep theirs)."""


# --- cross-section (reserved section) -------------------------------------------------


class DataRevisionWarning(EventStudyWarning):
    """A provider's new answer changed values the cache already held (``data update``), or a
    data file's bytes differ from the sha256 its manifest row records (``DataStore.load``)."""
