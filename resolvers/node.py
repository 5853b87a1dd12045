"""The ``Node`` interface: objects that ``node(id)`` can fetch again."""

import strawberry


@strawberry.interface(description="An object with a global, opaque and stable id.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Global id: opaque, stable, and accepted by node(id) to fetch the object again."
    )
