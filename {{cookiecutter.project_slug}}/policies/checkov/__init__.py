"""Our own checkov checks, one per file: ``checkov --external-checks-dir policies/checkov``."""
