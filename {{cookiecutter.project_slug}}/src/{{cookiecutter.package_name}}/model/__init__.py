"""The model folder: what `package` writes and every runtime loads, checks and predicts with."""
