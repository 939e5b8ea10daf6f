"""The Azure ML workspace: the ``MlWorkspace`` component and its Args."""
