"""Two versions of a cycle compared (``opplan diff``, docs/revisions.md).

:func:`~opplan.revision.compare.compare` takes each side's cycle and roll-up and
builds the change model (:mod:`opplan.report.changes`): node identity across
moves and renames (``identity.py``), each node's own plan (``plans.py``), each
view's line and money bridge (``views.py``), and the words they print (``words.py``).
"""
