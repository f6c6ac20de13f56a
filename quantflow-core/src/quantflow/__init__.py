"""QuantFlow: typed node graphs that run as a backtest, as paper trading, or live."""

__version__ = "0.1.0"
