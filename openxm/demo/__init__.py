"""The demo company: one loader that every feature adds its part to (see loader.py)."""
