"""Run a study from the command line (the pipeline is in :mod:`eventstudy.study`)."""

from __future__ import annotations

import argparse

from eventstudy.config import load_study
from eventstudy.data import DataStore
from eventstudy.data.study_data import load_study_data


def run_study_cli(args: argparse.Namespace) -> int:
    """``eventstudy run``: validate the study and its data, print the data summary."""
    config = load_study(args.study)
    store = DataStore.from_settings(args.data_dir)
    data = load_study_data(config.data, store)
    if not args.quiet:
        print(f"study {config.name} ({config.path}, sha256 {config.sha256[:12]})")
        print(f"data directory: {store.root}")
        print(data.summary())
    return 0
