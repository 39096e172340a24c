"""Installed only in the test virtualenv."""

GREETING = "hello from the venv"
