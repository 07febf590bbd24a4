"""Check: validators (structural rules, always errors) and policies (rules with a
severity, overridable per subtree) over a loaded cycle.
"""
