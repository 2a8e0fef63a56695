"""`tutor watch`: a real Chromium on the learner's own site, explained as it happens.

The core of the live view, with no Textual: `target` checks the URL and which origins
may be reached, `observed` turns what Playwright saw into the HAR model, `session`
analyses each exchange with the same `tutor.har` code as a recording and says what
changed (login steps, cookies, storage, findings), `text` words it for `--plain`, and
`driver` runs the browser (Playwright, an optional extra, imported only there).
"""
