"""Tests of the {{ cookiecutter.project_name }} lifecycle."""
