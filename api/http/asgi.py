"""The ASGI entry point uvicorn imports (`api.http.asgi:app`) in each worker process; settings come
from the environment.

Garbage collection is tuned here, for the server process only: a worker holding thousands of
WebSocket subscribers keeps many long-lived objects, and with CPython's default thresholds the
cyclic collector walked all of them often enough to double a live-tally broadcast. Freezing what
start-up built and collecting the young generation less often fixes that; most garbage here is
acyclic and freed by reference counting anyway (figures: docs/performance.md).
"""

import gc

from api.http.app import create_app

app = create_app()

GC_THRESHOLDS = (50_000, 20, 10)
gc.freeze()  # the modules, schema and settings built above live as long as the process
gc.set_threshold(*GC_THRESHOLDS)
