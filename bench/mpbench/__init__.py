"""mod_python benchmark package (see bench/run.py)."""
