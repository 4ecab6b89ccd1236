"""Read CSV and spreadsheet files into string columns with real coordinates.

Every reader returns a ``RawTable`` (raw.py): the header cells as found, the
absolute position of the header row and of every column, and the data as
batches of polars string columns. Nothing is parsed here beyond text: the
engine decides what a value means. One module per kind of file: delimited.py,
xlsx.py and sheets.py; this one finds the files and picks the reader."""
from __future__ import annotations

from pathlib import Path

from openbook.errors import OpenbookError
from openbook.files import protect_inputs
from openbook.read.delimited import read_csv
from openbook.read.raw import CSV_SUFFIXES, LEGACY_SUFFIXES, SUPPORTED, WORKBOOK_SUFFIXES, RawTable
from openbook.read.sheets import read_calamine
from openbook.read.xlsx import read_xlsx


def expand_paths(paths: list[str]) -> list[Path]:
    """Files to read: files as given, folders expanded to their supported files.

    In a folder, hidden files and everything under a hidden folder are left
    out: Excel's lock files (~$...), and the work folders of a package being
    built or of a run that was killed (.openbook-package.*), whose rows are
    partial. Every file read is protected: no output of this run replaces it."""
    files: list[Path] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED
                           and not f.name.startswith("~$") and not _hidden(f.relative_to(p)))
            if not found:
                raise OpenbookError(f"{given}: the folder holds no .xlsx, .xlsm or .csv files. "
                                    "Point openbook at a folder of submissions, or at one file.")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise OpenbookError(f"{given}: no such file or folder. Check the path and try again.")
    protect_inputs(files)
    return files


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def read_tables(path: Path) -> list[RawTable]:
    """Every table in one file: each sheet of a workbook, or the one CSV table."""
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise OpenbookError(f"{path}: the file is empty (0 bytes). Export it again from the source system.")
    if suffix in CSV_SUFFIXES:
        return [read_csv(path)]
    if suffix in WORKBOOK_SUFFIXES:
        return read_xlsx(path)
    if suffix in LEGACY_SUFFIXES:
        return read_calamine(path)
    raise OpenbookError(f"{path}: openbook reads .xlsx, .xlsm, .xls, .ods and .csv files, not "
                        f"'{suffix or 'no extension'}'. Save the file as .xlsx or .csv.")
