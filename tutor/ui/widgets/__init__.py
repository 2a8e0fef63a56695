"""Widgets of the lesson player."""
