"""Limits of the GraphQL API (SPEC §5): the one place their values live."""

MAX_FIRST = 100
MAX_DEPTH = 15
MAX_ALIASES = 30
MAX_ESTIMATED_NODES = 100_000
MAX_TOKENS = 2_000
"""Tokens of a GraphQL document (comments excluded); bounds parsing and validation."""

CONNECTIONS_FIRST = 20
MESSAGES_FIRST = 20
RECEIPTS_FIRST = 50
