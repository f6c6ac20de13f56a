"""Order lifecycle, persistence, risk checks and brokers. Money is whole VND, quantities shares.

Modules: `state_machine` (legal order transitions), `events` + `store` + `ledger` (persisted order
history, idempotent submission), `risk` (checks before every broker call), `broker` (the plugin
contract and `BrokerSpec`), `paper` (the simulated broker).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quantflow.trading.broker import BrokerSpec


def register_builtin_brokers(register: Callable[[BrokerSpec], None]) -> None:
    """Register QuantFlow's own brokers (the paper broker, `core:paper`) with the plugin host."""
    from quantflow.trading.broker import BrokerSpec
    from quantflow.trading.paper import PaperBroker, PaperBrokerConfig

    register(
        BrokerSpec(
            id="core:paper",
            title="Paper broker",
            description="Simulated fills on market data with Vietnamese market rules, T+2 "
            "settlement, fees and sell tax; orders pass the risk engine first.",
            factory=PaperBroker,
            config_model=PaperBrokerConfig,
        )
    )
