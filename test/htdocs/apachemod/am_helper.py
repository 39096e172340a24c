"""Imported by am.state through apache.import_module."""

VALUE = 42
