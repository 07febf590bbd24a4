"""Narratives: Markdown parsed into blocks, and the one sandboxed jinja
environment (its budget, filters) that renders narratives and templates.
"""
