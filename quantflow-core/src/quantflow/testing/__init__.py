"""Fixtures and conformance suites for plugin authors. Importing this never imports pytest."""
