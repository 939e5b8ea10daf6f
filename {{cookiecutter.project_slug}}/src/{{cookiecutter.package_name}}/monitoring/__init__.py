"""Monitoring: online data collection, the training baseline, drift and lifecycle events."""
