"""YAML for lesson files: safe, alias-free, bounded, and able to say where a value is.

Lesson authors get errors at `file:line:col`, so we keep PyYAML's node tree (which
carries positions) next to the plain data, and can turn a data path such as
`steps[2].login.pasword` back into the line and column where it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

MAX_YAML_CHARS = 200_000


@dataclass(frozen=True)
class YamlProblem(Exception):
    """Invalid YAML; `line` and `column` are 0-based within the YAML text."""

    message: str
    line: int
    column: int


class LocatedYaml:
    """Parsed data, and the text it came from to find positions in.

    The node tree (which carries positions) is composed again only when a position is
    asked for, which is when something is wrong or lint runs: kept with every parsed
    lesson, its marks and nodes were some 27,000 objects over the course, which every
    full garbage collection walked."""

    __slots__ = ("_composed", "_root", "_text", "data")

    def __init__(self, data: Any, text: str) -> None:
        self.data = data
        self._text = text
        self._root: yaml.Node | None = None
        self._composed = False

    @property
    def root(self) -> yaml.Node | None:
        """The node tree (None for an empty document), composed on first use."""
        if not self._composed:
            loader = _Loader(self._text)
            try:
                self._root = loader.get_single_node()
            finally:
                loader.dispose()
            self._composed = True
        return self._root

    def locate(self, path: str) -> tuple[int, int]:
        """The 0-based (line, column) of the deepest node along `path` that exists."""
        node = self.root
        if node is None:
            return 0, 0
        best = node.start_mark
        parts = _split_path(path)
        for index, part in enumerate(parts):
            # The last key is where a typo or a bad value is written: point at the key.
            child = _child(node, part, key=index == len(parts) - 1)
            if child is None:
                break
            node, best = child, child.start_mark
        return best.line, best.column


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index in _PATH_PART.findall(path):
        parts.append(int(index) if index else name)
    return parts


def _child(node: yaml.Node, part: str | int, key: bool) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                return key_node if key else value
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        return node.value[part] if 0 <= part < len(node.value) else None
    return None


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


def load(text: str) -> LocatedYaml:
    """Parse one YAML document safely; aliases are refused outright."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlProblem(f"YAML block is larger than {MAX_YAML_CHARS} characters", 0, 0)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is not None and "*" in text:  # an alias is written *name
            _refuse_aliases(root)
        data = _to_python(root, loader) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line, mark.column) if mark else (0, 0)
        raise YamlProblem(f"invalid YAML: {exc.problem or exc.context}", line, column) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", 0, 0) from None
    except RecursionError:
        raise YamlProblem("YAML is nested too deeply", 0, 0) from None
    finally:
        loader.dispose()
    return LocatedYaml(data, text)


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def _to_python(node: yaml.Node, loader: Any) -> Any:
    """Plain data from the node tree.

    Lesson YAML is strings, numbers, booleans, lists and mappings; converting those
    directly is several times faster than PyYAML's general constructor, which still
    handles anything else (floats, dates, merge keys...).
    """
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return node.value.lower() in ("yes", "true", "on")
        if tag == _INT and node.value.lstrip("+-").isdigit():
            return int(node.value)
    elif isinstance(node, yaml.MappingNode) and tag == _MAP and not any(
        key.tag == "tag:yaml.org,2002:merge" for key, _ in node.value
    ):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _to_python(key_node, loader)
            try:
                result[key] = _to_python(value_node, loader)
            except TypeError:  # an unhashable key, such as a list
                raise yaml.constructor.ConstructorError(
                    None, None, "found an unhashable key", key_node.start_mark) from None
        return result
    elif isinstance(node, yaml.SequenceNode) and tag == _SEQ:
        return [_to_python(item, loader) for item in node.value]
    return loader.construct_object(node, deep=True)


def _refuse_aliases(root: yaml.Node) -> None:
    # The composer turns an alias into a second reference to the anchored node; a
    # "billion laughs" document only explodes once something walks those references.
    # One visit per node finds any reuse in linear time.
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            mark = node.start_mark
            raise YamlProblem("YAML aliases (*name) are not allowed in lessons",
                              mark.line, mark.column)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
