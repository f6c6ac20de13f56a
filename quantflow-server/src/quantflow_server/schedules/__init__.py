"""Activated workflows and the scheduler that fires their schedule and bar-close triggers."""
