"""What a query asks for below a field, read from the document itself.

Strawberry's ``info.selected_fields`` converts the whole sub-tree (arguments,
directives) on every call; the resolvers that only need to know whether some
field is asked for below them walk the raw selection sets instead.
"""

from collections.abc import Iterable

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, SelectionSetNode

from resolvers.context import ContextInfo


def asks_for(info: ContextInfo, names: frozenset[str]) -> bool:
    """Whether a field named in ``names`` appears anywhere below the current field.

    Fragments are followed; ``@include``/``@skip`` are not evaluated, so a
    skipped field counts: callers use this to load data ahead, never to decide
    what the response holds.
    """
    raw = info._raw_info  # the graphql-core info: its AST nodes and fragments
    found: set[str] = set()
    _collect((node.selection_set for node in raw.field_nodes), raw.fragments, found, set())
    return not found.isdisjoint(names)


def asks_directly(info: ContextInfo, name: str) -> bool:
    """Whether the current field's own selection has a field ``name`` (through
    fragments, not below sub-fields; directives not evaluated, as above)."""
    raw = info._raw_info
    found: set[str] = set()
    sets = (node.selection_set for node in raw.field_nodes)
    _collect(sets, raw.fragments, found, set(), deep=False)
    return name in found


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
                _collect((selection.selection_set,), fragments, found, seen, deep)
