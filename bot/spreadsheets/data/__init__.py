"""Words of the spreadsheets: sheet names, column headers, total rows."""
