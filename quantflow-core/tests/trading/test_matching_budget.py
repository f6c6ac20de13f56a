"""The volume budget in integers equals floor(volume x participation) in decimals."""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.trading.paper.matching import volume_budget

PARTICIPATION = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1"), places=4)


@settings(max_examples=300, deadline=None)
@given(volume=st.integers(min_value=0, max_value=10**12), participation=PARTICIPATION)
def test_budget_is_the_exact_floor(volume: int, participation: Decimal) -> None:
    assert volume_budget(volume, participation) == math.floor(volume * participation)
