"""The plugin host: hook specifications, loading, and the registry of what plugins provide."""

from quantflow.plugins.components import ComponentSpec
from quantflow.plugins.hookspecs import hookimpl
from quantflow.plugins.host import PluginHost, PluginInfo, get_host, reset_host

__all__ = ["ComponentSpec", "PluginHost", "PluginInfo", "get_host", "hookimpl", "reset_host"]
