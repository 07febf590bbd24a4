"""The roll-up engine: decisions, order, the line, totals, dependencies, mandates
and goals at risk at every node. Imports no format library.
"""
