"""The contract between the GraphQL layer and the services: errors, row protocols, views and the
service protocols. Framework-free (no Strawberry at run time), so services depend on it alone."""
