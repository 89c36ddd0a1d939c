"""Services: the logic, one module per aggregate (accounts, roll, elections, ballots, …). May
import ``api.store``, ``api.formats``, ``api.settings``, ``schema.contract`` and ``voting``."""
