"""The package stage: the one package contract (contract.py), safe zips, and the writer
behind `openbook package` (write.py)."""
