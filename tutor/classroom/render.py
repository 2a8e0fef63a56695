"""The class report as terminal text and as one static HTML page.

Names and file paths come from the learners' files: the text shows them with control
characters made visible (`tutor.visible`), the page escapes them (`html.escape`), so a
learner called `<script>` or `\\x1b]0;` is only ever a name.
"""

from __future__ import annotations

import textwrap
from html import escape

from tutor.classroom.report import ClassReport, LessonCell, MissedQuestion
from tutor.plural import plural
from tutor.visible import visible

STATUS_MARKS = {"done": "✓", "in_progress": "…", "new": "·"}
STATUS_WORDS = {"done": "finished", "in_progress": "started", "new": "not started"}


def _cell_text(cell: LessonCell) -> str:
    score = f"{cell.right}/{cell.total}" if cell.asked else ""
    return f"{STATUS_MARKS[cell.status]}{score}"


def report_text(report: ClassReport) -> str:
    """The report as plain text: a grid of learners × lessons, then the hard questions."""
    lines = [f"Class report: {plural(len(report.learners), 'learner')}, "
             f"{plural(len(report.lessons), 'lesson')}"]
    if report.learners:
        names = [visible(row.name) for row in report.learners]
        name_width = max(len("learner"), *(len(name) for name in names))
        widths = [max(len(str(index + 1)), *(len(_cell_text(row.cells[index]))
                                             for row in report.learners))
                  for index in range(len(report.lessons))]
        header = ["learner".ljust(name_width), "done".rjust(5)]
        header += [str(index + 1).rjust(width) for index, width in enumerate(widths)]
        lines += ["", "  ".join(header).rstrip()]
        for name, row in zip(names, report.learners, strict=True):
            cells = [_cell_text(cell).rjust(width) for cell, width in zip(row.cells, widths,
                                                                          strict=True)]
            done = f"{row.done}/{len(report.lessons)}".rjust(5)
            lines.append("  ".join([name.ljust(name_width), done, *cells]).rstrip())
        legend = "; ".join(f"{index + 1} {visible(title)}"
                           for index, (_, title) in enumerate(report.lessons))
        lines += ["", *textwrap.wrap("Lessons: " + legend, 100, subsequent_indent="  "),
                  "✓ finished, … started, · not started; n/m: quiz questions right the "
                  "last time they were asked, of the lesson's m"]
    else:
        lines += ["", "No learner progress found."]
    if report.most_missed:
        lines += ["", "Missed most:"]
        for number, item in enumerate(report.most_missed, 1):
            lines += _missed_text(number, item)
    if report.skipped:
        lines += ["", f"Skipped {plural(len(report.skipped), 'file')} (left as they are):"]
        lines += [f"  {visible(item.reason)}" for item in report.skipped]
    return "\n".join(lines) + "\n"


def _missed_text(number: int, item: MissedQuestion) -> list[str]:
    lines = [f"{number}. {visible(item.info.text)}",
             f"   {item.info.key}: missed by {item.learners_missed} of "
             f"{plural(item.learners_asked, 'learner')} asked, "
             f"{plural(item.wrong_tries, 'wrong answer')} in all"]
    if item.info.misconceptions:
        lines.append("   The wrong answers it catches:")
        lines += [f"   - \"{visible(option)}\"" + (f" ({visible(why)})" if why else "")
                  for option, why in item.info.misconceptions]
    return lines


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d1d1f; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: center; }
th.learner, td.learner { text-align: left; }
thead th { background: #f2f2f2; font-weight: 600; }
td.done { background: #e3f4e1; } td.in_progress { background: #fff6d6; }
td.new { color: #888; }
li { margin-bottom: .6rem; } .why { color: #555; }
"""


def report_html(report: ClassReport) -> str:
    """The report as one self-contained HTML page (no scripts, no outside resources)."""
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>tutor: class report</title>",
             '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
             'style-src \'unsafe-inline\'">',
             f"<style>{_STYLE}</style></head><body>",
             "<h1>Class report</h1>",
             f"<p>{plural(len(report.learners), 'learner')}, "
             f"{plural(len(report.lessons), 'lesson')}.</p>"]
    if report.learners:
        parts.append("<table><thead><tr><th class=\"learner\">Learner</th><th>Done</th>")
        parts += [f"<th title=\"{escape(title)}\">{index + 1}. {escape(title)}</th>"
                  for index, (_, title) in enumerate(report.lessons)]
        parts.append("</tr></thead><tbody>")
        for row in report.learners:
            parts.append(f"<tr><td class=\"learner\">{escape(row.name)}</td>"
                         f"<td>{row.done}/{len(report.lessons)}</td>")
            for cell in row.cells:
                score = f" {cell.right}/{cell.total}" if cell.asked else ""
                parts.append(f"<td class=\"{cell.status}\" title=\"{STATUS_WORDS[cell.status]}"
                             f"\">{STATUS_MARKS[cell.status]}{score}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
        parts.append("<p>✓ finished, … started, · not started; n/m: quiz questions right "
                     "the last time they were asked, of the lesson's m.</p>")
    else:
        parts.append("<p>No learner progress found.</p>")
    if report.most_missed:
        parts.append("<h2>Missed most</h2><ol>")
        for item in report.most_missed:
            parts.append(f"<li><strong>{escape(item.info.text)}</strong><br>"
                         f"<span class=\"why\"><code>{escape(item.info.key)}</code>: missed by "
                         f"{item.learners_missed} of "
                         f"{plural(item.learners_asked, 'learner')} asked, "
                         f"{plural(item.wrong_tries, 'wrong answer')} in all</span>")
            if item.info.misconceptions:
                parts.append("<ul>" + "".join(
                    f"<li>“{escape(option)}”" + (f" <span class=\"why\">{escape(why)}</span>"
                                                  if why else "") + "</li>"
                    for option, why in item.info.misconceptions) + "</ul>")
            parts.append("</li>")
        parts.append("</ol>")
    if report.skipped:
        parts.append(f"<h2>Skipped {plural(len(report.skipped), 'file')}</h2><ul>")
        parts += [f"<li>{escape(item.reason)}</li>" for item in report.skipped]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
