"""Alerts, budgets and diagnostics of a stack, and the online endpoint they watch."""
