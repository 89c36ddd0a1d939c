"""The GraphQL layer: one module per feature, merged in ``schema.root``; the SDL lives in
schema.graphql. ``schema.contract`` is what the services see of it, free of any framework, so
this package's ``__init__`` imports nothing (importing the contract must not build the schema)."""
