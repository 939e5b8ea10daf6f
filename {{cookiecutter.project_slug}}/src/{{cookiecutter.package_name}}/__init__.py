"""The model lifecycle package: data, training, registry and promotion (see README.md)."""

__version__ = "0.1.0"
