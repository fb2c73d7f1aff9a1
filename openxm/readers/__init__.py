"""Reading tabular files (CSV, TSV, TXT, XLSX) the same way for every openxm input.

Pure: no Django import. See :func:`read_table`.
"""

from openxm.readers.errors import ReadError, ReadIssue
from openxm.readers.table import Table, read_table

__all__ = ["ReadError", "ReadIssue", "Table", "read_table"]
