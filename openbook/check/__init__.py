"""The check stage: the engine, the registry and every built-in check.

Importing ``openbook.check`` registers every built-in check, explicitly, so
the registry is never empty (``openbook.check.registry.REGISTRY``). Each
module below holds the checks of one subject:

- security.py: formulas a spreadsheet would run
- privacy.py: data protection (emails, NI numbers, phones, bank details,
  named individuals, exact senior salaries)
- organogram.py: organogram tree, job shares and pay rules
- spend.py: spend lines (threshold, dates, VAT, redactions)
- duplicates.py: lines identical in every column of the file
- payroll.py: payroll deductions and balance-sheet payments in spend (non-expenditure)
- totals.py: total and subtotal lines (total-row)
- functions.py: the function catalogue (parents, cycles, cost reconciliation)
"""
from openbook.check import (duplicates, functions, organogram, payroll, privacy, security,  # noqa: F401
                            spend, totals)  # registers them
