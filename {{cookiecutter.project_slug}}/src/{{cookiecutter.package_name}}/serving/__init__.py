"""Online scoring: the served model, the scoring core, the ASGI server, its config and metrics."""
