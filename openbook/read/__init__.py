"""The read stage: CSV and spreadsheet files into string columns with real coordinates,
and the parsing of UK finance values."""
