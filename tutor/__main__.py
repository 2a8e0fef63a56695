"""`python -m tutor` runs the same CLI as the `tutor` script."""

from __future__ import annotations

from tutor.cli import main

raise SystemExit(main())
