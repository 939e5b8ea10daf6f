"""Deployment to Azure ML: the blue/green rollout plan and its driver."""
