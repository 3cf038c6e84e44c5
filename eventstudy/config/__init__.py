"""Study configuration files (TOML) parsed into frozen, validated objects."""

from eventstudy.config.study import (
    DEFAULT_HORIZONS,
    Claim,
    DataConfig,
    EvaluationConfig,
    EventsConfig,
    InferenceConfig,
    SeriesSpec,
    StudyConfig,
    TargetSpec,
    Variant,
    load_study,
    parse_study,
)

__all__ = [
    "DEFAULT_HORIZONS",
    "Claim",
    "DataConfig",
    "EvaluationConfig",
    "EventsConfig",
    "InferenceConfig",
    "SeriesSpec",
    "StudyConfig",
    "TargetSpec",
    "Variant",
    "load_study",
    "parse_study",
]
