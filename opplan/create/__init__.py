"""Creating cycles: ``init``/``new`` scaffolds, and ``import table`` from an HR or
finance export.
"""
