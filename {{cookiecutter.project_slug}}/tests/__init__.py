"""Tests of the model lifecycle."""
