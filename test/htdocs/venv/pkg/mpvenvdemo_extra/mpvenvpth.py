"""Importable only through mpvenvdemo.pth in the venv's site-packages."""

FOUND = True
