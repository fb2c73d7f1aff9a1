"""openxm: open-source experience management."""

__version__ = "0.1.0"
