"""Market data: the columnar bar container and the data-source plugin interface."""

from quantflow.data.bars import Bars
from quantflow.data.source import DataSource, DataSourceSpec

__all__ = ["Bars", "DataSource", "DataSourceSpec"]
