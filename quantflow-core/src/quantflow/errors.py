"""The exception hierarchy users may catch. Every error QuantFlow raises on purpose derives from
`QuantflowError`, so a caller can tell "QuantFlow refused this input" from a bug."""


class QuantflowError(Exception):
    """Base class of every deliberate QuantFlow error."""


class PluginError(QuantflowError):
    """A plugin could not be loaded or registered something invalid or conflicting."""


class WorkflowError(QuantflowError):
    """A workflow document is invalid; `problems` lists everything wrong with it."""
