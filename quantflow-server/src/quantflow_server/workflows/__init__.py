"""Workflows with revisions: save, diff, restore, import and export."""
