"""The Repeater: free play against a sandboxed mock server, edit-and-resend, a JWT editor,
curl in and out, and challenge quizzes graded from the server's own log.

Submodules are imported directly (`tutor.repeater.draft`, ...): this package imports
nothing itself, so a lesson parse that only checks a challenge's shape stays light.
"""
