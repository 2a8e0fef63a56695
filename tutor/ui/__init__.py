"""The Textual user interface: a thin view over the core's events (only here is Textual)."""
