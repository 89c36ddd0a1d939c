"""Live updates: pub/sub backends, the per-worker fan-out and the views it loads. May import
``api.access``, ``api.runtime``, ``api.services``, ``api.store`` and ``schema.contract`` (the
payload types are rendered by schema/live.py, handed in at start); ``api.http`` starts it."""
