"""Persona RBAC: the data in ``rbac/`` (personas, matrices, roles), its checks and its compiler."""
