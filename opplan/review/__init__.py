"""Review import: reading a manager's workbook and writing decisions back into
their plan.yaml.
"""
