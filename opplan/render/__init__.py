"""Renderers: lay out the report model as text, JSON, CSV, Word and Excel."""
