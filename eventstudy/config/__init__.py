"""Study configuration files (TOML): the reader and the sections every kind shares.

:func:`eventstudy.parse_study` / :func:`eventstudy.load_study` parse a whole study of either kind.
"""

from eventstudy.config.study import (
    BREADTH_MEASURES,
    DataConfig,
    SeriesSpec,
    StudyConfig,
    freeze,
    parse_header,
    read_toml,
    thaw,
)

__all__ = [
    "BREADTH_MEASURES",
    "DataConfig",
    "SeriesSpec",
    "StudyConfig",
    "freeze",
    "parse_header",
    "read_toml",
    "thaw",
]
