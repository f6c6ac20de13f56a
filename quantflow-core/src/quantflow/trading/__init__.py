"""Order lifecycle, persistence, risk checks and brokers. Money is whole VND, quantities shares."""
