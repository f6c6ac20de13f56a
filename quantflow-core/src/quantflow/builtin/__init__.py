"""QuantFlow's own nodes and components, registered through the `core` entry point like any plugin."""
