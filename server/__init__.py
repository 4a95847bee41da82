"""Inversion Guide: a spoken safety check and session coach for inversion-table users."""

__version__ = "0.1.0"
