"""The project's model package: features, lifecycle, serving, batch and deployment.

Subpackages by concern: lifecycle (MLflow training and registry), serving (online scoring),
batch (batch scoring), deploy (Azure ML rollout). See README.md for the layout.
"""

__version__ = "0.1.0"
