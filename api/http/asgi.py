"""The ASGI entry point uvicorn imports (`api.http.asgi:app`) in each worker process; settings come
from the environment.

Garbage collection is tuned here, for the server process only. A worker holding thousands of
WebSocket subscribers keeps about 300 tracked objects per connection alive; with CPython's
default thresholds (700, 10, 10) the cyclic collector ran every few hundred allocations and now
and then walked all 1.5 million objects, so a live-tally broadcast to 5,000 subscribers took
500-700 ms, most of it in the collector (bench/ws_fanout.py). Freezing what start-up built and
collecting the young generation every 50,000 allocations brought that round to 270-320 ms
under 200 ballots/s. Most of the service's garbage is acyclic and freed by reference counting
anyway; cycles are still collected, just less often.
"""

import gc

from api.http.app import create_app

app = create_app()

GC_THRESHOLDS = (50_000, 20, 10)
gc.freeze()  # the modules, schema and settings built above live as long as the process
gc.set_threshold(*GC_THRESHOLDS)
