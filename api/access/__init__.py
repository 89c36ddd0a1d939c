"""Per-request access: the objects that implement ``schema.contract``'s service protocols for one
request, bound to its session and viewer. Each method checks the viewer's grant in the object's
compound, then calls the services; after the commit it announces the change (topics.py). May
import ``api.runtime`` and everything below it; ``api.live`` and ``api.http`` use it, ``api.cli``
may."""
