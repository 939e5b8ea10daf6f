"""The model lifecycle on MLflow: data, training, evaluation, registry, promotion, packaging."""
