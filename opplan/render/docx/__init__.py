"""The Word renderer: a format-free document plan, its grids and charts, then
python-docx (raw XML only in ``oxml``); and the docx side's checks for
``opplan check`` (page limit, templates).
"""
