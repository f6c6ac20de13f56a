"""Errors raised by the trading layer; all are `QuantflowError`s so callers can catch them together."""

from quantflow.errors import QuantflowError


class TradingError(QuantflowError):
    """Base class of trading-layer errors."""


class IllegalTransitionError(TradingError):
    """An order event that the order state machine does not allow (e.g. a fill on a cancelled order)."""


class OrderNotFoundError(TradingError, KeyError):
    """No order with that client order id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "order not found"


class BrokerError(TradingError):
    """A broker refused or failed a request (not a risk rejection, which is an order state)."""


class NotConnectedError(BrokerError):
    """A broker call was made before `connect()` or after `disconnect()`."""
