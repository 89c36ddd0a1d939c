"""Live updates: pub/sub backends, the per-worker fan-out and the views it loads. May import
``api.access`` and everything below it (``api.runtime``, ``api.services``, ``api.formats``,
``api.store``, ``api.settings``), ``schema.contract`` and ``voting`` (the payload types are
rendered by schema/live.py, handed in at start); ``api.http`` starts it, ``api.cli`` may use it."""
