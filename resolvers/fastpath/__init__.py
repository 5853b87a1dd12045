"""The fast execution path: plain fields resolved inline, past graphql-core's per-field cost.

``execution`` holds the execution context, ``lean`` the simple resolvers it
calls directly, ``selection`` the per-request selection walk, ``later`` the
values that may resolve without awaiting.
"""
