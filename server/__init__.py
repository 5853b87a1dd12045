"""The HTTP server: Starlette app, configuration, authentication, ingest and the CLI."""
