"""The three built-in data sources, registered through the same hook as any plugin's."""

from __future__ import annotations

from collections.abc import Callable

from quantflow.data.directory import DirectoryConfig, DirectorySource
from quantflow.data.memory import MemoryConfig, MemorySource
from quantflow.data.replay import ReplayConfig, ReplaySource
from quantflow.data.source import DataSourceSpec

BUILTIN_DATA_SOURCES = (
    DataSourceSpec(
        id="core:directory",
        title="Files (CSV / Parquet)",
        factory=DirectorySource,
        description="Daily bars from a folder of CSV, CSV.gz or Parquet files, checked for quality "
        "(strict or repair), prices converted to whole VND.",
        config_model=DirectoryConfig,
    ),
    DataSourceSpec(
        id="core:memory",
        title="In memory / synthetic",
        factory=MemorySource.from_config,
        description="Bars from rows given in the config, or a seeded SYNTHETIC market "
        "(random walk on the real calendar and tick ladder) for demos.",
        config_model=MemoryConfig,
    ),
    DataSourceSpec(
        id="core:replay",
        title="Replay",
        factory=ReplaySource.from_config,
        description="Stored bars or ticks played back as a live feed at a chosen speed; never "
        "emits a bar before its close time.",
        config_model=ReplayConfig,
    ),
)


def register_builtin_data_sources(register: Callable[[DataSourceSpec], None]) -> None:
    """Call `register` once per built-in data source (for the `core` plugin's hook)."""
    for spec in BUILTIN_DATA_SOURCES:
        register(spec)
