"""The audit ledger: who did what, append-only and hash-chained."""
