"""Study configuration files (TOML) parsed into frozen, validated objects."""

from eventstudy.config.study import (
    CS_MODELS,
    DEFAULT_HORIZONS,
    Claim,
    CrossSectionConfig,
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
    "CS_MODELS",
    "DEFAULT_HORIZONS",
    "Claim",
    "CrossSectionConfig",
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
