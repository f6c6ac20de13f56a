"""The paper broker (`core:paper`): simulated execution with the real market rules."""

from quantflow.trading.paper.broker import PaperBroker
from quantflow.trading.paper.config import PaperBrokerConfig

__all__ = ["PaperBroker", "PaperBrokerConfig"]
