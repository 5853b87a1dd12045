"""Write the schema's SDL: ``python -m resolvers.export [schema.graphql]``."""

import sys
from pathlib import Path

from resolvers.schema import schema


def sdl() -> str:
    return schema.as_str() + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "schema.graphql")
    target.write_text(sdl())
    print(f"wrote {target}")
