"""A table while it fits, a list of records when it would not.

Rich squeezes a table into a narrow column by folding each cell, which turns a session id
or a date into a letter per line. `Records` measures the table it would draw and, when
the space is narrower, draws each row as a block of `column: value` lines instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

Cell = str | Text


class Records:
    """Rows under named columns, drawn as a table or, when narrow, as records."""

    def __init__(self, columns: Iterable[str], *, first_bold: bool = False) -> None:
        self.columns = tuple(columns)
        """The column names, in order."""
        self.rows: list[tuple[Cell, ...]] = []
        """One tuple of cells per row."""
        self.first_bold = first_bold
        """Whether the first column names the row (a cookie's name, a storage key)."""

    def add_row(self, *cells: Cell) -> None:
        """Add a row: one cell per column."""
        self.rows.append(tuple(cells))

    def table(self) -> Table:
        """The rows as a table (cells never folded: `natural_width` says if it fits)."""
        table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False, show_edge=False)
        for index, column in enumerate(self.columns):
            style = "bold" if self.first_bold and index == 0 else ""
            table.add_column(column, style=style, no_wrap=True)
        for row in self.rows:
            table.add_row(*row)
        return table

    def natural_width(self, console: Console, options: ConsoleOptions) -> int:
        """The width the table needs with no cell folded."""
        wide = options.update(width=10_000)
        return Measurement.get(console, wide, self.table()).maximum

    def records(self) -> Text:
        """Each row as `column: value` lines, rows apart by a blank line."""
        text = Text(overflow="fold")
        label_width = max((len(c) for c in self.columns), default=0)
        for number, row in enumerate(self.rows):
            if number:
                text.append("\n")
            for index, (column, cell) in enumerate(zip(self.columns, row, strict=False)):
                if index or number:
                    text.append("\n")
                text.append(f"{column:>{label_width}}: ", style="dim")
                value = cell if isinstance(cell, Text) else Text(cell)
                if self.first_bold and index == 0:
                    value = value.copy()
                    value.stylize("bold")
                text.append_text(value)
        return text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.natural_width(console, options) <= options.max_width:
            yield self.table()
        else:
            yield self.records()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, min(self.natural_width(console, options), options.max_width))
