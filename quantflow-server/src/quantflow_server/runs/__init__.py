"""Runs: executed in the background by the core engine, every event persisted and streamed."""
