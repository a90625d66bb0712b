"""Adapters: settings, persistence wiring, serialisation."""
