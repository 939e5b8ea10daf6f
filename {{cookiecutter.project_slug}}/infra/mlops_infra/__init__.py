"""Pulumi components of this project: Azure ML workspace, AKS cluster and model serving.

Every stack (dev, staging, prod) runs the same code; stacks differ only through the typed
configuration that ``mlops_infra.settings.load_settings`` reads once. ``config`` reads the stack
files offline, ``program`` wires the components and ``plan`` runs it under ``mocks``.
"""
