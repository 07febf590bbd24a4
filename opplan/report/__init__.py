"""The report model between the engine and the renderers: frozen records with
every figure decided, their projections (the narrative's context) and the
keys a review workbook carries.
"""
