"""The spool `tutor inspect` keeps its report in until the whole file is read: whatever
is written comes back in reads of any size, kept in memory or moved to a file."""

from __future__ import annotations

import pytest

from tutor.har import inspect
from tutor.har.inspect import _Spool

PARTS = ["abc", "", "défg→", "h" * 40, "i\nj", "…"]
WHOLE = "".join(PARTS)


def _expected(sizes: list[int]) -> list[str]:
    """What reads of these sizes give from a file holding WHOLE (below 0: the rest)."""
    chunks, at = [], 0
    for size in sizes:
        chunk = WHOLE[at:] if size < 0 else WHOLE[at:at + size]
        chunks.append(chunk)
        at += len(chunk)
    return chunks


@pytest.mark.parametrize("in_memory", [True, False])
@pytest.mark.parametrize("sizes", [[1] * (len(WHOLE) + 1), [2, 5, 100, 1], [len(WHOLE), 1],
                                   [0, 3, -1, 4], [4, 40, 3, 2, 1, 1, 1]])
def test_reads_of_any_size_give_back_what_was_written(
        in_memory: bool, sizes: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    if not in_memory:
        monkeypatch.setattr(inspect, "SPOOL_BYTES", 16)  # the second write moves it to a file
    with _Spool() as spool:
        for part in PARTS:
            spool.write(part)
        assert (spool._file is None) == in_memory
        spool.seek(0)
        got = [spool.read(size) for size in sizes]
        assert got == _expected(sizes)
        assert spool.read() == WHOLE[len("".join(got)):]  # the rest, and then nothing
        assert spool.read() == ""


def test_a_spool_in_memory_is_read_once_from_the_start() -> None:
    with _Spool() as spool:
        spool.write("text")
        with pytest.raises(ValueError):
            spool.seek(2)
        spool.seek(0)
        assert spool.read() == "text"
        with pytest.raises(ValueError):
            spool.seek(0)
