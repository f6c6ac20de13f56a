"""Shared builders for trading tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from quantflow.domain import OrderRequest
from quantflow.market import VN_TZ

#: 10:00 on Tuesday 2025-03-04, HOSE continuous session.
T0 = datetime(2025, 3, 4, 10, 0, tzinfo=VN_TZ)


def make_request(cid: str = "c-1", **over: object) -> OrderRequest:
    data: dict[str, object] = dict(
        client_order_id=cid, symbol="HPG", side="buy", order_type="LO", quantity=100,
        price=26_850, created_at=T0,
    )
    data.update(over)
    return OrderRequest(**data)  # type: ignore[arg-type]


@pytest.fixture
def t0() -> datetime:
    return T0


def later(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)
