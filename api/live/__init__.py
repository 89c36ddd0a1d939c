"""Live updates: pub/sub backends, the per-worker fan-out, topics and the views they load. May
import ``api.services``, ``api.store`` and ``api.formats``; only ``api.http`` and ``api.cli``
import it."""
