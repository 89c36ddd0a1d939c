"""The election core of Gongzhi: roll, rules, ballots, tally, ledger, secrecy and lifecycle.

Plain, pure Python on purpose: no I/O, no framework, no clock reads (callers pass ``now``) and
no floats (areas are integer hundredths of m², thresholds compare by cross-multiplication), so
that every result can be recomputed exactly, by anyone, long after the close.

Modules: ``roll`` (units → electors, fingerprint), ``rules`` (thresholds, seats, notice days),
``ballot`` (questions, choices, canonical form), ``channel`` (online/paper/proxy: which ballot
counts), ``tally`` (incremental and recount), ``result`` (certified, canonical results),
``ledger`` (hash chain), ``secrecy`` (slot keys, voting codes, tracking codes), ``lifecycle``
(states, notice periods, certification), ``visibility`` (who sees what of a live tally, when),
``replay`` (a ledger replayed into counted ballots), ``verify`` (the one verifier, fed from the
database or an export), ``bulk`` (fast paths, each checked against the plain one), ``codec`` and
``errors`` (shared plumbing).
"""
