"""Lesson text as the screens show it: prose reflowed, inline code marked, code never wrapped.

Rich's Markdown already joins a paragraph's hard line breaks and renders `inline code`;
what it gets wrong for a tutor is code: a code block is word-wrapped to the width (the
indentation of a Python snippet breaks), and inline code sits on a black box whatever
the theme. `Prose` fixes both; `split_code` takes a document's top-level code blocks out,
so a screen can show each one whole in a box that scrolls sideways.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from markdown_it import MarkdownIt
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown, MarkdownElement
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.theme import Theme

DARK_CODE = Style(bold=True, color="cyan")
LIGHT_CODE = Style(bold=True, color="dark_blue", bgcolor="grey93")
CODE_THEMES = {True: "monokai", False: "default"}
"""Pygments themes for code blocks, by whether the screen is dark."""


class _UnwrappedCode(CodeBlock):
    """A code block whose long lines are cut at the edge, never wrapped into the next
    line (wrapping breaks indentation, which is meaning in Python)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Syntax(str(self.text).rstrip(), self.lexer_name, theme=self.theme,
                     word_wrap=False, padding=(0, 1))


class _Markdown(Markdown):
    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements, "fence": _UnwrappedCode, "code_block": _UnwrappedCode}


@dataclass
class Prose:
    """Markdown for a screen with a dark or light background."""

    text: str
    dark: bool = True
    _lines: tuple[tuple[object, ...], list[list[Segment]]] | None = field(
        default=None, repr=False, compare=False)
    """The lines last rendered, with what they depend on. Textual renders a Static once
    to measure its height and again to draw it, at the same width: parsing and laying
    out the Markdown twice was a fifth of opening a lesson."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = (options.max_width, options.justify, options.overflow, options.no_wrap)
        if self._lines is not None and self._lines[0] == key:
            lines = self._lines[1]
        else:
            code = DARK_CODE if self.dark else LIGHT_CODE
            theme = Theme({"markdown.code": code, "markdown.code_block": Style()},
                          inherit=True)
            markdown = _Markdown(self.text, code_theme=CODE_THEMES[self.dark])
            # Rendered inside the theme: segments carry their styles once made.
            with console.use_theme(theme):
                lines = console.render_lines(markdown, options, pad=False, new_lines=True)
            self._lines = (key, lines)
        for line in lines:
            yield from line


@dataclass(frozen=True)
class Code:
    """A code block taken out of prose: shown whole, scrolled sideways, never wrapped."""

    source: str
    language: str = ""

    def view(self, dark: bool = True) -> Syntax:
        """The block drawn as it was written (cut at the edge, never wrapped)."""
        return Syntax(self.source, self.language or "text", theme=CODE_THEMES[dark],
                      word_wrap=False, padding=(0, 1))


def split_code(text: str) -> list[str | Code]:
    """`text` as markdown strings and `Code` blocks, in order; only top-level code blocks
    are taken out (one inside a list item stays where it is)."""
    tokens = MarkdownIt("commonmark").parse(text)
    lines = text.splitlines(keepends=True)
    parts: list[str | Code] = []
    done = 0
    for token in tokens:
        if token.type not in ("fence", "code_block") or token.level or token.map is None:
            continue
        start, end = token.map
        before = "".join(lines[done:start]).strip("\n")
        if before.strip():
            parts.append(before)
        parts.append(Code(token.content.rstrip("\n"), token.info.strip().partition(" ")[0]))
        done = end
    rest = "".join(lines[done:]).strip("\n")
    if rest.strip():
        parts.append(rest)
    return parts



def one_line(text: str, limit: int = 90) -> str:
    """Markdown as one line of plain words (a question in a list): marks dropped, line
    breaks joined, cut at `limit` cells with an ellipsis."""
    words: list[str] = []
    for token in MarkdownIt("commonmark").parse(text):
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        if token.type == "inline":
            words.append(" ")
    line = " ".join("".join(words).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
