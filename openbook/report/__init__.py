"""The report stage: renderings of a validation result (text, HTML, an annotated workbook).
Each reads the result model in openbook.check.result, never the engine."""
