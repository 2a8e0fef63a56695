"""HAR files in and out: read a browser's recording, analyse its credentials, export ours.

Core code: no Textual here (a test enforces it). Modules:

- `model`: the typed, normalised HAR (`Har`, `HarEntry`, ...) and `HarError`.
- `reader`: bytes or a path → `Har`, or a `HarError` that says where the file is wrong.
- `credentials`, `analysis`: what each exchange sent, set and carried, the login step,
  and the findings a learner should notice.
- `export`: the browser's `Exchange` events → HAR 1.2, optionally redacted.
- `render`: the text and JSON that `tutor inspect` and `tutor replay --plain` print.
- `replay`: re-send a HAR's requests to the in-process mock server and compare statuses.
"""
