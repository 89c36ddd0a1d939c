"""File and text formats: the owner-roll CSV, rule text, text diffs and input normalisation.
Pure parsing and rendering: imports nothing of ``api``, only ``schema.contract`` errors."""
