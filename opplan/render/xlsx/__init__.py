"""The review workbook renderer (openpyxl)."""
