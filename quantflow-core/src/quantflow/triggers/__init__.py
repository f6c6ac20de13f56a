"""Scheduling logic for hosts: what wakes each trigger node of a plan, and when a schedule fires.

Trigger nodes only describe; hosts (server scheduler, backtester, `quantflow run`) call these pure
functions to decide when to run a plan, and pass a `Wake` to say why they did.
"""

from quantflow.triggers.clock import CLOCK_DRIVEN, bar_closes, next_bar_close, next_wake
from quantflow.triggers.cron import check_cron, next_match
from quantflow.triggers.schedule import next_fire_time
from quantflow.triggers.specs import KINDS, TriggerKind, TriggerSpec, trigger_specs
from quantflow.triggers.wake import WAKE_SERVICE, Wake, wake_of

__all__ = [
    "CLOCK_DRIVEN",
    "KINDS",
    "WAKE_SERVICE",
    "TriggerKind",
    "TriggerSpec",
    "Wake",
    "bar_closes",
    "check_cron",
    "next_bar_close",
    "next_fire_time",
    "next_match",
    "next_wake",
    "trigger_specs",
    "wake_of",
]
