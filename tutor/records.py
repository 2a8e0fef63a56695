"""Plain records: a class with `__slots__` whose fields, named in `_fields`, give its
equality, repr and (frozen) hash, as `@dataclass` would, without its costs.

Used where a record is built often or its module is imported by every command: a
dataclass compiles its methods when the class is made, imports `dataclasses` (and with
it `inspect`), and a frozen one sets each field through `object.__setattr__`.
"""

from __future__ import annotations

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar


class Record:
    """A plain record: fields named in `_fields`, compared and shown by them (what
    `@dataclass` would give, without its costs)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._fields])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({shown})"

    # Defining __eq__ makes the class unhashable (mutable, like a plain dataclass).


class FrozenRecord(Record):
    """A Record that is hashable: its fields are never changed once built."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values())
