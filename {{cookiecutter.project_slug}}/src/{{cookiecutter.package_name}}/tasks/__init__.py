"""What differs per task (regression, binary, multiclass), behind one small interface."""
