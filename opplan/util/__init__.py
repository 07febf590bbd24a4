"""Small helpers with no opplan dependencies: atomic writes, the garbage
collector, LibreOffice, shipped files, safe workbook reading, text splicing.
"""
