"""Scheduling logic for hosts: what wakes each trigger node of a plan, and when a schedule fires.

Trigger nodes only describe; hosts (server scheduler, backtester, `quantflow run`) call these pure
functions to decide when to run a plan, and pass a `Wake` to say why they did.
"""

from quantflow.triggers.cron import check_cron, next_match
from quantflow.triggers.schedule import next_fire_time
from quantflow.triggers.specs import KINDS, TriggerKind, TriggerSpec, trigger_specs
from quantflow.triggers.wake import WAKE_SERVICE, Wake, wake_of

__all__ = [
    "KINDS",
    "WAKE_SERVICE",
    "TriggerKind",
    "TriggerSpec",
    "Wake",
    "check_cron",
    "next_fire_time",
    "next_match",
    "trigger_specs",
    "wake_of",
]
