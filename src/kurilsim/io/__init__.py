"""Interchange with standard file formats."""
