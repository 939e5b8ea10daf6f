"""Batch scoring: input files, crash-safe outputs and journal, parallel workers, Azure ML entry."""
