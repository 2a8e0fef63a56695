"""Quizzes: questions from lessons, grading of every kind, sessions and review scheduling.

The core of `tutor quiz` and of the TUI's quiz screen; it never imports Textual.
"""
