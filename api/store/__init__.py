"""Storage: SQLAlchemy models, the engine and session makers, the migrations runner and keyset
paging. Of ``api`` it may import only ``api.settings``, never ``api.formats``; besides,
``schema.contract`` and ``voting``. Everything above it may use it."""
