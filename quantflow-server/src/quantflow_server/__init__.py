"""QuantFlow server: the Litestar app the canvas, operators and scripts talk to."""
