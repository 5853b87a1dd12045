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


def asks_for(info: ContextInfo, names: frozenset[str]) -> bool:
    """Whether a field named in ``names`` appears anywhere below the current field.

    Fragments are followed; ``@include``/``@skip`` are not evaluated, so a
    skipped field counts: callers use this to load data ahead, never to decide
    what the response holds.
    """
    return not _names_below(info, deep=True).isdisjoint(names)


def asks_directly(info: ContextInfo, name: str) -> bool:
    """Whether the current field's own selection has a field ``name`` (through
    fragments, not below sub-fields; directives not evaluated, as above)."""
    return name in _names_below(info, deep=False)


def _names_below(info: ContextInfo, *, deep: bool) -> frozenset[str]:
    """The field names below the current field's nodes, walked once a request:
    every object of a list shares its field's nodes. The key is every node of the
    field, not the first: a fragment's node may be merged with other nodes in one
    place and stand alone in another (the document lives as long as the request,
    so the nodes' ids are safe keys until then)."""
    raw = info._raw_info  # the graphql-core info: its AST nodes and fragments
    memo = info.context.selections
    key = (tuple(map(id, raw.field_nodes)), deep)
    names = memo.get(key)
    if names is None:
        found: set[str] = set()
        sets = (node.selection_set for node in raw.field_nodes)
        _collect(sets, raw.fragments, found, set(), deep)
        names = memo[key] = frozenset(found)
    return names


def _collect(
    sets: Iterable[SelectionSetNode | None],
    fragments: dict[str, FragmentDefinitionNode],
    found: set[str],
    seen: set[str],
    deep: bool = True,
) -> None:
    for selection_set in sets:
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.add(selection.name.value)
                if deep:
                    _collect((selection.selection_set,), fragments, found, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if name not in seen and fragment is not None:
                    seen.add(name)
                    _collect((fragment.selection_set,), fragments, found, seen, deep)
            else:  # an inline fragment
                inline = cast(InlineFragmentNode, selection)
                _collect((inline.selection_set,), fragments, found, seen, deep)


def names_in(info: ContextInfo, nodes: Iterable[FieldNode], *, deep: bool) -> frozenset[str]:
    """The field names in the selections of ``nodes`` (fields below the current
    one), and below them when ``deep``: what :func:`asks_for` and
    :func:`asks_directly` read for those fields."""
    found: set[str] = set()
    sets = (node.selection_set for node in nodes)
    _collect(sets, info._raw_info.fragments, found, set(), deep)
    return frozenset(found)


def listed_names(info: ContextInfo, lists: Sequence[FieldNode] | None = None) -> frozenset[str]:
    """The field names asked of each object of the current connection field (or of
    the connection fields ``lists``), in its ``nodes`` and its ``edges { node }``
    (through fragments; directives not evaluated, as above)."""
    return names_in(info, _listed(info, lists), deep=False)


def listed_fields(
    info: ContextInfo, name: str, lists: Sequence[FieldNode] | None = None
) -> list[FieldNode]:
    """The nodes of the fields named ``name`` asked of each object of the current
    connection field, or of ``lists`` (as :func:`listed_names`; not those of a list
    further down)."""
    return _children(_listed(info, lists), name, info._raw_info.fragments)


def child_fields(info: ContextInfo, nodes: Iterable[FieldNode], name: str) -> list[FieldNode]:
    """The fields named ``name`` in the selections of ``nodes`` themselves."""
    return _children(nodes, name, info._raw_info.fragments)


def _listed(info: ContextInfo, lists: Sequence[FieldNode] | None) -> list[FieldNode]:
    """The ``nodes`` and ``edges { node }`` fields of the current connection field,
    or of ``lists``."""
    fragments = info._raw_info.fragments
    page = list(info._raw_info.field_nodes if lists is None else lists)
    return _children(page, "nodes", fragments) + _children(
        _children(page, "edges", fragments), "node", fragments
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
