"""Lifecycle events as CloudEvents: where they go (a file, a webhook, Event Grid) and how."""
