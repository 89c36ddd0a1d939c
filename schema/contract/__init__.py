"""The contract between the GraphQL layer and the services: errors, row protocols, views and the
service protocols. Framework-free (no Strawberry at run time), so services depend on it alone.
It imports only itself and ``voting``; below ``api.http`` and ``api.cli`` it is all of ``schema``
that ``api`` may import (tests/test_architecture.py)."""
