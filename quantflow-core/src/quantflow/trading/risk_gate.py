"""`RiskGate`: the risk engine in front of a broker that does not run it itself (DNSE, any plugin).

Action nodes only ever talk to `ctx.broker`; a live or paper session hands them the plugin's broker
wrapped in a gate, so "risk before every broker call, in every mode" holds without the nodes or the
plugin knowing. A refused order is recorded (rejected, with its reason code) in the gate's own ledger
and never reaches the broker. The paper broker checks risk itself and needs no gate.

The gate needs the world at the moment of the order (account, position, today's band): a session
passes `context(request) -> RiskContext`, built from the broker's reports and its market data.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from quantflow.domain.orders import Fill, Order, OrderRequest
from quantflow.domain.portfolio import Account, Position
from quantflow.trading.broker import Broker
from quantflow.trading.events import OrderEvent, OrderEventKind
from quantflow.trading.ledger import OrderLedger
from quantflow.trading.risk import RiskContext, RiskEngine

ContextProvider = Callable[[OrderRequest], Awaitable[RiskContext]]


class RiskGate(Broker):
    def __init__(self, inner: Broker, risk: RiskEngine, context: ContextProvider, ledger: OrderLedger | None = None) -> None:
        self.inner = inner
        self.risk = risk
        self.context = context
        self.rejected = ledger or OrderLedger()
        self.capabilities = inner.capabilities

    async def submit(self, request: OrderRequest) -> Order:
        known = self.rejected.find(request.client_order_id)
        if known is not None:
            return known  # idempotent, like every broker
        decision = self.risk.check(request, await self.context(request))
        if decision.accepted:
            return await self.inner.submit(request)
        self.rejected.submit(request)
        return self.rejected.record(OrderEvent(
            kind=OrderEventKind.REJECTED, client_order_id=request.client_order_id, ts=request.created_at,
            reason_code=decision.reason.value if decision.reason else None, message=decision.message,
        ))

    async def order_reports(self) -> list[Order]:
        return [*await self.inner.order_reports(), *self.rejected.orders()]

    async def connect(self) -> None:
        await self.inner.connect()

    async def disconnect(self) -> None:
        await self.inner.disconnect()

    @property
    def is_connected(self) -> bool:
        return self.inner.is_connected

    async def cancel(self, client_order_id: str) -> Order:
        return await self.inner.cancel(client_order_id)

    async def fill_reports(self) -> list[Fill]:
        return await self.inner.fill_reports()

    async def position_reports(self) -> list[Position]:
        return await self.inner.position_reports()

    def events(self) -> AsyncIterator[OrderEvent]:
        return self.inner.events()

    async def account_report(self) -> Account:
        return await self.inner.account_report()

    async def modify(self, client_order_id: str, *, new_client_order_id: str,
                     price: int | None = None, quantity: int | None = None) -> Order:
        """A modification is a new order (cancel-and-replace), so it is risk-checked too."""
        old = next((o for o in await self.inner.order_reports() if o.client_order_id == client_order_id), None)
        if old is not None:
            replacement = old.request.model_copy(update={
                "client_order_id": new_client_order_id,
                "price": price if price is not None else old.price,
                "quantity": quantity if quantity is not None else old.remaining_quantity,
            })
            decision = self.risk.check(replacement, await self.context(replacement))
            if not decision.accepted:
                await self.inner.cancel(client_order_id)
                return await self.submit(replacement)
        return await self.inner.modify(client_order_id, new_client_order_id=new_client_order_id,
                                       price=price, quantity=quantity)
