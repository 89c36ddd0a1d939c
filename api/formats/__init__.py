"""File and text formats: the owner-roll CSV, rule text, text diffs, input normalisation and the
election export. Pure parsing and rendering: of ``api`` it may import only ``api.settings`` (it
uses none today), never ``api.store``; besides, ``schema.contract`` errors and ``voting``."""
