"""One node type: a momentum score, the percentage change over a window."""

from __future__ import annotations

import numpy as np
from pydantic import Field
from quantflow.nodes import Category, Frame, NodeParams, Series, node


class MomentumParams(NodeParams):
    window: int = Field(20, ge=1, le=1000, description="Bars to look back.")


@node("example:momentum", category=Category.LOGIC, title="Momentum (%)", icon="trending-up")
def momentum(frame: Frame, params: MomentumParams) -> Series:
    """Percentage change of the close over `window` bars (NaN until there is enough history)."""
    out = {}
    for symbol, bars in frame.items():
        close = bars.close
        score = np.full(len(close), np.nan)
        if len(close) > params.window:
            score[params.window :] = (close[params.window :] / close[: -params.window] - 1) * 100
        out[symbol] = score
    return out
