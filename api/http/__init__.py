"""HTTP plumbing: the Starlette app factory, request context, middleware, guards, refusals, logs
and graceful shutdown. May import every other package of ``api`` except ``api.cli``."""
