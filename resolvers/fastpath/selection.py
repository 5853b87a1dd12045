"""What a query asks for below a field, read from the document itself.

Strawberry's ``info.selected_fields`` converts the whole sub-tree (arguments,
directives) on every call; the resolvers that only need to know whether some
field is asked for below them walk the raw selection sets instead.
"""

from collections.abc import Iterable, Sequence
from typing import cast

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from resolvers.context import ContextInfo


def asks_directly(info: ContextInfo, name: str) -> bool:
    """Whether the current field's own selection has a field ``name`` (through
    fragments, not below sub-fields).

    ``@include``/``@skip`` are not evaluated, so a skipped field counts: callers use
    this and the functions below to load data ahead, never to decide what the
    response holds.
    """
    return name in _memo(info, "own", info._raw_info.field_nodes)


def listed_names(info: ContextInfo, lists: Sequence[FieldNode] | None = None) -> frozenset[str]:
    """The field names asked of each object of the current connection field (or of
    the connection fields ``lists``), in its ``nodes`` and its ``edges { node }``
    (through fragments; directives not evaluated, as above)."""
    return _memo(info, "listed", info._raw_info.field_nodes if lists is None else lists)


def listed_fields(
    info: ContextInfo, name: str, lists: Sequence[FieldNode] | None = None
) -> list[FieldNode]:
    """The nodes of the fields named ``name`` asked of each object of the current
    connection field, or of ``lists`` (as :func:`listed_names`; not those of a list
    further down)."""
    fragments = info._raw_info.fragments
    return _children(
        _listed(info._raw_info.field_nodes if lists is None else lists, fragments), name, fragments
    )


def names_in(info: ContextInfo, nodes: Iterable[FieldNode]) -> frozenset[str]:
    """The field names in the selections of ``nodes`` themselves (fields below the
    current one), through fragments."""
    found: set[str] = set()
    _collect((node.selection_set for node in nodes), info._raw_info.fragments, found, set())
    return frozenset(found)


def _memo(info: ContextInfo, kind: str, nodes: Sequence[FieldNode]) -> frozenset[str]:
    """The names of :func:`asks_directly` (``own``) or :func:`listed_names`
    (``listed``) for ``nodes``, walked once a request: every object of a list shares
    its field's nodes. The key is every node of the field, not the first: a
    fragment's node may be merged with other nodes in one place and stand alone in
    another (the document lives as long as the request, so the nodes' ids are safe
    keys until then)."""
    memo = info.context.selections
    key: tuple[str | int, ...] = (kind, *map(id, nodes))
    names = memo.get(key)
    if names is None:
        if kind == "listed":
            nodes = _listed(nodes, info._raw_info.fragments)
        names = memo[key] = names_in(info, nodes)
    return names


def _collect(
    sets: Iterable[SelectionSetNode | None],
    fragments: dict[str, FragmentDefinitionNode],
    found: set[str],
    seen: set[str],
) -> None:
    """The names of the fields of ``sets`` into ``found``, through fragments."""
    for selection_set in sets:
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.add(selection.name.value)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if name not in seen and fragment is not None:
                    seen.add(name)
                    _collect((fragment.selection_set,), fragments, found, seen)
            else:  # an inline fragment
                inline = cast(InlineFragmentNode, selection)
                _collect((inline.selection_set,), fragments, found, seen)


def child_fields(info: ContextInfo, nodes: Iterable[FieldNode], name: str) -> list[FieldNode]:
    """The fields named ``name`` in the selections of ``nodes`` themselves."""
    return _children(nodes, name, info._raw_info.fragments)


def _listed(
    lists: Sequence[FieldNode], fragments: dict[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    """The ``nodes`` and ``edges { node }`` fields of the connection fields ``lists``."""
    return _children(lists, "nodes", fragments) + _children(
        _children(lists, "edges", fragments), "node", fragments
    )


def _children(
    nodes: Iterable[FieldNode], name: str, fragments: dict[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    """The fields named ``name`` in the selections of ``nodes`` themselves."""
    found: list[FieldNode] = []
    seen: set[str] = set()

    def walk(selection_set: SelectionSetNode | None) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == name:
                    found.append(selection)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if selection.name.value not in seen and fragment is not None:
                    seen.add(selection.name.value)
                    walk(fragment.selection_set)
            else:  # an inline fragment
                walk(cast(InlineFragmentNode, selection).selection_set)

    for node in nodes:
        walk(node.selection_set)
    return found
