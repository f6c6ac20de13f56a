"""Market data: the columnar bar container, the data-source interface and the built-in sources.

Bar times are the instant each bar became final (daily: 15:00 Asia/Ho_Chi_Minh), see
`quantflow.data.timestamps`.
"""

from quantflow.data.bars import Bars
from quantflow.data.builtin import BUILTIN_DATA_SOURCES, register_builtin_data_sources
from quantflow.data.directory import DirectoryConfig, DirectorySource
from quantflow.data.layout import ColumnMap, Layout
from quantflow.data.memory import MemoryConfig, MemorySource
from quantflow.data.quality import (
    DataQualityError,
    DataSourceError,
    Problem,
    ProblemCode,
    QualityReport,
)
from quantflow.data.replay import ReplayConfig, ReplaySource
from quantflow.data.source import DataSource, DataSourceSpec, LiveDataSource
from quantflow.data.synthetic import SyntheticConfig, generate_market
from quantflow.data.ticks import TickFilesConfig, TickFilesSource

__all__ = [
    "BUILTIN_DATA_SOURCES",
    "Bars",
    "ColumnMap",
    "DataQualityError",
    "DataSource",
    "DataSourceError",
    "DataSourceSpec",
    "DirectoryConfig",
    "DirectorySource",
    "Layout",
    "LiveDataSource",
    "MemoryConfig",
    "MemorySource",
    "Problem",
    "ProblemCode",
    "QualityReport",
    "ReplayConfig",
    "ReplaySource",
    "SyntheticConfig",
    "TickFilesConfig",
    "TickFilesSource",
    "generate_market",
    "register_builtin_data_sources",
]
