"""An example QuantFlow plugin."""
