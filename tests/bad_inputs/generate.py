"""The bad-input corpus: every file is built here, deterministically.

    python tests/bad_inputs/generate.py            rewrite the small committed files (tests/bad_inputs/files/)

Small cases (a few KB at most) are committed under files/ so they can be
opened by hand; big or hostile ones (zip bombs, 1,000,000 empty lines,
10,000 columns, a used range to row 1,048,576) are built at test time in a
temporary folder by the same functions. tests/test_bad_inputs.py checks that
the committed copies are byte-for-byte what this module builds.

Each case is a row of tests/bad_inputs/README.md: file name, how it is built,
the exit status expected from the command line and a fragment of the message.
"""
from __future__ import annotations

import io
import random
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"

# A DOS date/time for every zip member, so the bytes never change.
_DOS_TIME, _DOS_DATE = (12 << 11), ((2025 - 1980) << 9) | (4 << 5) | 1

HEADER = ["OrganisationURI", "OrganisationLabel", "PaymentDate", "OrganisationalUnit", "BeneficiaryName",
          "Purpose", "Amount"]
ROWS = [
    ["https://anytown.gov.uk", "Anytown Borough Council", "31/01/2025", "Finance", "Acme Ltd", "Stationery",
     "£1,234.56"],
    ["https://anytown.gov.uk", "Anytown Borough Council", "2025-02-01", "Finance", "Café Ltd", "Catering",
     "750.5"],
]


def spend_csv(rows=ROWS, header=HEADER, newline="\r\n") -> bytes:
    import csv
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


# ------------------------------------------------------------------ zips by hand

@dataclass
class Member:
    name: str
    data: bytes = b""            # the bytes stored (already compressed when method == 8 and raw)
    method: int = 8              # 0 stored, 8 deflate
    raw: bool = False            # data is already a deflate stream
    crc: Optional[int] = None
    size: Optional[int] = None   # uncompressed size to declare (may be a lie)
    symlink: bool = False


def write_zip(members: list[Member]) -> bytes:
    """A zip written field by field: lets a test declare any size, store a
    pre-built deflate stream, or add a symbolic link. Deterministic."""
    out = io.BytesIO()
    central = []
    for m in members:
        name = m.name.encode("utf-8")
        if m.raw:
            payload, crc, size = m.data, m.crc or 0, m.size or 0
        else:
            crc = zlib.crc32(m.data) if m.crc is None else m.crc
            size = len(m.data) if m.size is None else m.size
            if m.method == 8:
                c = zlib.compressobj(9, zlib.DEFLATED, -15)
                payload = c.compress(m.data) + c.flush()
            else:
                payload = m.data
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, m.method, _DOS_TIME, _DOS_DATE,
                              crc, len(payload), size, len(name), 0))
        out.write(name)
        out.write(payload)
        attr = ((0o120777 << 16) if m.symlink else (0o100644 << 16))
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0x800, m.method, _DOS_TIME,
                                   _DOS_DATE, crc, len(payload), size, len(name), 0, 0, 0, 0, attr, offset) + name)
    cd_offset = out.tell()
    for c in central:
        out.write(c)
    cd_size = out.tell() - cd_offset
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), cd_size, cd_offset, 0))
    return out.getvalue()


def deflate_repeated(prefix: bytes, block: bytes, count: int, suffix: bytes) -> tuple[bytes, int]:
    """A deflate stream of prefix + block * count + suffix, built without
    compressing count blocks: after a full flush the compressor forgets its
    history, so every block compresses to the same bytes and can be repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    one = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    two = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert one == two, "deflate blocks differ after a full flush"
    tail = c.compress(suffix) + c.flush()
    return head + one * count + tail, len(prefix) + len(block) * count + len(suffix)


# ------------------------------------------------------------------ workbooks by hand

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet_xml(rows: list[list], extra_rows: str = "", dimension: Optional[str] = None, prolog: str = "") -> bytes:
    """rows of str (inline strings), numbers, or ("f", formula, cached-or-None)."""
    out = [XML, prolog, f"<worksheet {NS} {NS_R}>"]
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    for r, row in enumerate(rows, start=1):
        out.append(f'<row r="{r}">')
        for c, v in enumerate(row):
            ref = f"{col_letter(c)}{r}"
            if v is None or v == "":
                continue
            if isinstance(v, tuple):
                _, formula, cached = v
                cache = "" if cached is None else f"<v>{cached}</v>"
                out.append(f'<c r="{ref}"><f>{escape(formula)}</f>{cache}</c>')
            elif isinstance(v, (int, float)):
                out.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>')
        out.append("</row>")
    out.append(extra_rows)
    out.append("</sheetData></worksheet>")
    return "".join(out).encode("utf-8")


def workbook_parts(sheets: list[tuple[str, bytes]], shared: Optional[bytes] = None,
                   workbook_prolog: str = "") -> list[Member]:
    types = [f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-'
             f'officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(sheets) + 1)]
    if shared is not None:
        types.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.spreadsheetml.sharedStrings+xml"/>')
    content_types = (XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.spreadsheetml.sheet.main+xml"/>' + "".join(types) + "</Types>")
    rels = (XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (XML + workbook_prolog + f"<workbook {NS} {NS_R}><sheets>"
          + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, (n, _) in enumerate(sheets, 1))
          + "</sheets></workbook>")
    wb_rels = (XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                         f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
               + (f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                  '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared is not None else "")
               + "</Relationships>")
    members = [Member("[Content_Types].xml", content_types.encode()), Member("_rels/.rels", rels.encode()),
               Member("xl/workbook.xml", wb.encode()), Member("xl/_rels/workbook.xml.rels", wb_rels.encode())]
    members += [Member(f"xl/worksheets/sheet{i}.xml", data) for i, (_, data) in enumerate(sheets, 1)]
    if shared is not None:
        members.append(Member("xl/sharedStrings.xml", shared))
    return members


def spend_xlsx(rows=ROWS, header=HEADER, **kw) -> bytes:
    return write_zip(workbook_parts([("Spend", sheet_xml([header] + rows, **kw))]))


def laughs(depth: int = 10) -> str:
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, depth)]
    return f"<!DOCTYPE lolz [{''.join(ents)}]>"


# ------------------------------------------------------------------ the cases

@dataclass
class Case:
    name: str                    # file name
    how: str                     # how it is built (README)
    build: Callable[[Path], Path]
    exit: tuple[int, ...]        # expected exit statuses (0/1 = read and checked, 2 = refused)
    message: str                 # a fragment of the one-line message (stderr for 2, stdout otherwise)
    command: str = "validate"    # validate | publish | compare
    committed: bool = False      # small enough to keep under files/
    rows: Optional[list[list[str]]] = None  # when readable: the header and data rows read
    big: bool = False            # built at test time only
    max_seconds: float = 10.0


def _bytes(data: bytes | Callable[[], bytes]):
    def build(path: Path) -> Path:
        path.write_bytes(data() if callable(data) else data)
        return path
    return build


def _real_xlsx() -> bytes:
    return spend_xlsx()


def _truncated_xlsx() -> bytes:
    data = _real_xlsx()
    return data[: len(data) // 2]


def _corrupt_deflate_xlsx() -> bytes:
    members = workbook_parts([("Spend", sheet_xml([HEADER] + ROWS * 20))])
    data = bytearray(write_zip(members))
    # flip bytes in the middle of the sheet's compressed data
    start = data.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml") + 40
    for i in range(start, start + 30):
        data[i] ^= 0x5A
    return bytes(data)


def _billion_laughs_shared() -> bytes:
    shared = (XML + laughs() + f'<sst {NS} count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>').encode()
    sheet = (XML + f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>').encode()
    return write_zip(workbook_parts([("Spend", sheet)], shared=shared))


def _billion_laughs_shared_late() -> bytes:
    # the DOCTYPE after 8 KB of comment: a check of the first 4 KB does not see it
    prolog = "<!--" + " " * 8192 + "-->" + laughs()
    shared = (XML + prolog + f'<sst {NS} count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>').encode()
    sheet = (XML + f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>').encode()
    return write_zip(workbook_parts([("Spend", sheet)], shared=shared))


def _billion_laughs_sheet() -> bytes:
    return write_zip(workbook_parts([("Spend", sheet_xml([["&lol9;"]], prolog=laughs()).replace(b"&amp;lol9;", b"&lol9;"))]))


def _billion_laughs_sheet_late() -> bytes:
    prolog = "<!--" + " " * 8192 + "-->" + laughs()
    return write_zip(workbook_parts([("Spend", sheet_xml([["&lol9;"]], prolog=prolog).replace(b"&amp;lol9;", b"&lol9;"))]))


def _billion_laughs_workbook() -> bytes:
    return write_zip(workbook_parts([("Spend", sheet_xml([HEADER] + ROWS))], workbook_prolog=laughs()))


def _xxe_sheet() -> bytes:
    prolog = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return write_zip(workbook_parts([("Spend", sheet_xml([["&xxe;"]], prolog=prolog).replace(b"&amp;xxe;", b"&xxe;"))]))


def _bomb(part: str, gib: float, declare: Optional[int] = None) -> Callable[[], bytes]:
    """A workbook whose sheet (or shared strings) inflates to ``gib`` GiB of spaces
    (a few MB on disk). ``declare`` states a smaller size in the zip (a lie)."""
    def build() -> bytes:
        sheet_head = (XML + f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>').encode()
        sheet_tail = b"</sheetData></worksheet>"
        count = int(gib * 1024)
        if part == "sheet":
            stream, size = deflate_repeated(sheet_head, b" " * (1024 * 1024), count, sheet_tail)
            members = workbook_parts([("Spend", b"")])
            members[-1] = Member("xl/worksheets/sheet1.xml", stream, raw=True, size=declare or size)
        else:
            head = (XML + f'<sst {NS} count="1" uniqueCount="1"><si><t>').encode()
            stream, size = deflate_repeated(head, b"A" * (1024 * 1024), count, b"</t></si></sst>")
            sheet = (XML + f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>').encode()
            members = workbook_parts([("Spend", sheet)], shared=b"")
            members[-1] = Member("xl/sharedStrings.xml", stream, raw=True, size=declare or size)
        return write_zip(members)
    return build


def _cell_bomb() -> bytes:
    """1.3 GiB of well-formed cells (the same row, over and over): 4 MB on disk,
    45 million cells; no text run, no lie about sizes."""
    head = (XML + f'<worksheet {NS}><sheetData>').encode()
    block = b"".join(b'<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>' for _ in range(16384))
    stream, size = deflate_repeated(head, block, 1400, b"</sheetData></worksheet>")
    members = workbook_parts([("Spend", b"")])
    members[-1] = Member("xl/worksheets/sheet1.xml", stream, raw=True, size=size)
    return write_zip(members)


def _not_workbook_zip() -> bytes:
    return write_zip([Member("readme.txt", b"hello")])


def _no_rels_xlsx() -> bytes:
    return write_zip([m for m in workbook_parts([("Spend", sheet_xml([HEADER] + ROWS))])
                      if m.name != "xl/_rels/workbook.xml.rels"])


def _bad_workbook_xml() -> bytes:
    members = workbook_parts([("Spend", sheet_xml([HEADER] + ROWS))])
    members[2] = Member("xl/workbook.xml", b"<workbook><sheets><sheet name='x'")
    return write_zip(members)


def _bad_sheet_xml() -> bytes:
    return write_zip(workbook_parts([("Spend", b"<worksheet><sheetData><row r='1'><c r='A1'")]))


def _missing_sheet_part() -> bytes:
    return write_zip([m for m in workbook_parts([("Spend", sheet_xml([HEADER] + ROWS))])
                      if not m.name.startswith("xl/worksheets/")])


def _ole_encrypted() -> bytes:
    """The start of an OLE2/CFB container as Excel writes for a password-protected
    workbook: the CFB signature and a directory naming the EncryptionInfo and
    EncryptedPackage streams (not a complete CFB file)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    directory = bytearray(512)
    for i, name in enumerate(["Root Entry", "EncryptionInfo", "EncryptedPackage"]):
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory[i * 128: i * 128 + len(encoded)] = encoded
        struct.pack_into("<H", directory, i * 128 + 64, len(encoded))
        directory[i * 128 + 66] = 5 if i == 0 else 2
    return bytes(header) + bytes(directory) + bytes(random.Random(10).randbytes(2048))


def _ods() -> bytes:
    def cell(v):
        return f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'
    rows = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in [HEADER] + ROWS)
    content = (XML + '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="Spend">{rows}</table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    manifest = (XML + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    return write_zip([Member("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", method=0),
                      Member("META-INF/manifest.xml", manifest.encode()), Member("content.xml", content.encode())])


def _xls(path: Path) -> Path:
    import xlwt  # written by a real .xls writer
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Spend")
    for r, row in enumerate([HEADER] + ROWS):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.save(str(path))
    return path


def _formatting_to_last_row() -> bytes:
    extra = '<row r="1048576"><c r="G1048576" s="1"/></row>'
    return spend_xlsx(extra_rows=extra, dimension="A1:G1048576")


def _formatting_every_row(path: Path) -> Path:
    """Formatting (a style, no value) on every row to 1,048,576: about 3 MB on disk."""
    head = sheet_xml([HEADER] + ROWS).split(b"</sheetData>")[0]
    rows = b"".join(b'<row r="%d"><c r="A%d" s="1"/></row>' % (r, r) for r in range(len(ROWS) + 2, 1048577))
    sheet = head + rows + b"</sheetData></worksheet>"
    path.write_bytes(write_zip(workbook_parts([("Spend", sheet)])))
    return path


LONG = ("Long purpose " * 3000)[:32767]


def _long_cells() -> bytes:
    rows = [r[:5] + [LONG] + r[6:] for r in ROWS]
    return spend_xlsx(rows=rows)


def _formulas(cached: bool) -> bytes:
    rows = [r[:6] + [("f", "1000+234.56", "1234.56" if cached else None)] for r in ROWS[:1]]
    rows += [r[:6] + [("f", "SUM(700,50.5)", "750.5" if cached else None)] for r in ROWS[1:]]
    return spend_xlsx(rows=rows)


def _openpyxl_formulas(path: Path) -> Path:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Spend"
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r[:6] + ["=1000+234.56"])
    wb.save(path)
    return path


def _xlsxwriter_formulas(path: Path) -> Path:
    import xlsxwriter  # writes a formula with the value it computes to, as Excel does
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Spend")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, ROWS[0][:6])
    ws.write_formula(1, 6, "=1000+234.56", None, 1234.56)
    ws.write_row(2, 0, ROWS[1][:6])
    ws.write_formula(2, 6, "=SUM(700,50.5)", None, 750.5)
    wb.close()
    return path


def _binary_csv() -> bytes:
    return random.Random(1).randbytes(4096)


def _nul_late_csv() -> bytes:
    body = spend_csv()
    filler = b"".join(b"https://anytown.gov.uk,Anytown Borough Council,01/02/2025,Finance,Acme Ltd,Paper,600\r\n"
                      for _ in range(120))
    return body + filler + b"https://anytown.gov.uk,Anytown Borough Council,01/02/2025,Finance,Ac\x00me Ltd,Paper,600\r\n"


def _mixed_encoding_csv() -> bytes:
    # line 2 in UTF-8 (£ = C2 A3, é = C3 A9), line 3 in cp1252 (£ = A3, é = E9)
    lines = [",".join(HEADER).encode(),
             "https://anytown.gov.uk,Anytown Borough Council,31/01/2025,Finance,Acme Ltd,Stationery,£1234.56".encode("utf-8"),
             "https://anytown.gov.uk,Anytown Borough Council,2025-02-01,Finance,Café Ltd,Catering,£750.50".encode("cp1252")]
    return b"\r\n".join(lines) + b"\r\n"


def _wide_csv(path: Path) -> Path:
    header = HEADER + [f"Extra{i}" for i in range(10_000 - len(HEADER))]
    row = ROWS[0] + ["x"] * (10_000 - len(HEADER))
    path.write_bytes(spend_csv(rows=[row, row], header=header))
    return path


def _empty_lines_csv(path: Path) -> Path:
    path.write_bytes(spend_csv() + b"\n" * 1_000_000)
    return path


def _long_line_csv(path: Path) -> Path:
    row = ROWS[0][:5] + ["x" * (50 * 1024 * 1024)] + ROWS[0][6:]
    path.write_bytes(spend_csv(rows=[row]))
    return path


def _package_zip(names: list[str], symlink: bool = False) -> Callable[[], bytes]:
    def build() -> bytes:
        desc = (b'{"name": "evil", "version": "1.0.0", "openbook": {"organisation": {"slug": "evil"}}, '
                b'"resources": [{"name": "spend", "path": "data/spend.csv"}]}\n')
        members = [Member("datapackage.json", desc), Member("data/spend.csv", b"a,b\n1,2\n")]
        members += [Member(n, b"owned\n", symlink=symlink) for n in names]
        return write_zip(members)
    return build


def _package_bomb() -> bytes:
    desc = (b'{"name": "bomb", "version": "1.0.0", "openbook": {"organisation": {"slug": "bomb"}}, '
            b'"resources": [{"name": "spend", "path": "data/spend.csv"}]}\n')
    stream, size = deflate_repeated(b"a,b\n", b"1,2\n" * (256 * 1024), 3 * 1024, b"")
    return write_zip([Member("datapackage.json", desc), Member("data/spend.csv", stream, raw=True, size=size)])


def _dup_headers() -> bytes:
    header = HEADER[:5] + ["Amount", "Amount"]
    return spend_csv(rows=[r[:5] + [r[6], r[6]] for r in ROWS], header=header)


def _blank_headers() -> bytes:
    header = HEADER[:4] + ["", "Purpose", "", "Amount"]
    rows = [r[:4] + [r[4], r[5], "", r[6]] for r in ROWS]
    return spend_csv(rows=rows, header=header)


def _folder(path: Path) -> Path:
    path.mkdir()
    (path / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    return path


# ------------------------------------------------------------------ issue 14: data safety

def _rows_with(column: int, values: list[str]) -> list[list[str]]:
    return [ROWS[i % 2][:column] + [v] + ROWS[i % 2][column + 1:] for i, v in enumerate(values)]


MINUS_AMOUNTS = ["\u2212612.50", "\u2013612.50", "612.50-", "612.50 CR", "(612.50)", "612.50 DR"]
AMBIGUOUS_AMOUNTS = ["1.234,56", "1,5", "-612.50 CR"]
STRAY_PURPOSES = ['6" pipe', 'pipe 12"', 'Ref "A" works', '"Quoted, and ""doubled"""']


def _stray_quotes_csv() -> bytes:
    """Inch marks and quotes inside unquoted fields, written as ledgers write
    them (no quoting); the last purpose is properly quoted."""
    lines = [",".join(HEADER)]
    for r in _rows_with(5, STRAY_PURPOSES):
        r = [f'"{v}"' if "," in v and not v.startswith('"') else v for v in r]
        lines.append(",".join(r))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


STRAY_ROWS = [HEADER] + _rows_with(5, ['6" pipe', 'pipe 12"', 'Ref "A" works', 'Quoted, and "doubled"'])


def _stray_quotes_big(path: Path) -> Path:
    """20 MB of ledger lines, an inch mark on every thousandth: record ends
    found by counting quotes from each newline took time growing with the
    square of the size."""
    line = ",".join(ROWS[0][:6] + ["1234.56"]).encode() + b"\r\n"
    stray = line.replace(b"Stationery", b'6" pipe')
    with open(path, "wb") as f:
        f.write(",".join(HEADER).encode() + b"\r\n")
        for i in range(200):
            f.write((line * 999 + stray))
    return path


def _quote_never_closes_big(path: Path) -> Path:
    """1 MB of lines, then a quote that opens a field and never closes, then 40 MB of lines."""
    with open(path, "wb") as f:
        f.write(spend_csv())
        f.write(b"https://anytown.gov.uk,Anytown Borough Council,01/02/2025,Finance,Acme Ltd,Paper,600\r\n" * 12_000)
        f.write(b'https://anytown.gov.uk,"Anytown\r\n')
        f.write((b"Acme Ltd,Stationery,1.00\r\n") * 1_600_000)
    return path


def _cr_only_big(path: Path) -> Path:
    """20 MB with old Mac line endings (CR only)."""
    with open(path, "wb") as f:
        f.write(spend_csv(newline="\r"))
        f.write(b"https://anytown.gov.uk,Anytown Borough Council,01/02/2025,Finance,Acme Ltd,Paper,600\r" * 240_000)
    return path


def _wide_line_big(path: Path) -> Path:
    """One line of 40 MB of short fields (20 million commas)."""
    with open(path, "wb") as f:
        f.write(spend_csv())
        f.write(b"x," * 20_000_000 + b"\r\n")
    return path


def _columns_20000() -> bytes:
    return spend_csv(header=HEADER + [f"X{i}" for i in range(20_000 - len(HEADER))], rows=[])


def _sheet_no_r(rows: list[list[str]]) -> bytes:
    """Rows and cells without r attributes: their place is their order (valid
    OOXML; some writers leave r out)."""
    out = [XML, f"<worksheet {NS}><sheetData>"]
    for row in rows:
        out.append("<row>" + "".join(f'<c t="inlineStr"><is><t>{escape(v)}</t></is></c>' for v in row) + "</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out).encode()


def _strict_ooxml() -> bytes:
    """The same workbook in Strict Open XML: purl.oclc.org namespaces."""
    members = workbook_parts([("Spend", sheet_xml([HEADER] + ROWS))])
    for m in members:
        m.data = (m.data.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                 b"http://purl.oclc.org/ooxml/spreadsheetml/main")
                  .replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                           b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
    return write_zip(members)


def _data_after_formatting(path: Path) -> Path:
    """5 MB of formatted, empty cells (rows 1 to 60,000) before the table starts."""
    cells = b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d" s="1"/>' % (col_letter(c).encode(), r)
                                                  for c in range(7)) + b"</row>" for r in range(1, 60_001))
    table = sheet_xml([HEADER] + ROWS).split(b"<sheetData>")[1].split(b"</sheetData>")[0]
    table = table.replace(b'r="1"', b'r="60001"').replace(b'r="2"', b'r="60002"').replace(b'r="3"', b'r="60003"')
    for c in range(7):
        for r in (1, 2, 3):
            table = table.replace(b'r="%s%d"' % (col_letter(c).encode(), r),
                                  b'r="%s%d"' % (col_letter(c).encode(), 60_000 + r))
    sheet = (XML + f"<worksheet {NS}><sheetData>").encode() + cells + table + b"</sheetData></worksheet>"
    path.write_bytes(write_zip(workbook_parts([("Spend", sheet)])))
    return path


def _shared_strings_declared(unique: int, count: int | None = None) -> Callable[[], bytes]:
    def build() -> bytes:
        counts = f'uniqueCount="{unique}"' + (f' count="{count}"' if count is not None else "")
        shared = (XML + f'<sst {NS} {counts}>' + "".join(f"<si><t>{escape(v)}</t></si>" for v in HEADER + ROWS[0])
                  + "</sst>").encode()
        cells = lambda r, base: "".join(f'<c r="{col_letter(c)}{r}" t="s"><v>{base + c}</v></c>' for c in range(7))
        sheet = (XML + f'<worksheet {NS}><sheetData><row r="1">{cells(1, 0)}</row><row r="2">{cells(2, 7)}</row>'
                 "</sheetData></worksheet>").encode()
        return write_zip(workbook_parts([("Spend", sheet)], shared=shared))
    return build


def _no_r_cell_bomb() -> bytes:
    """Cells written <c> (no r): 1.4 GB of them from 4 MB. Counting only
    '<c r=' missed every one."""
    head = (XML + f"<worksheet {NS}><sheetData>").encode()
    block = (b"<row>" + b"<c><v>1</v></c>" * 1000 + b"</row>") * 64
    stream, size = deflate_repeated(head, block, 1500, b"</sheetData></worksheet>")
    members = workbook_parts([("Spend", b"")])
    members[-1] = Member("xl/worksheets/sheet1.xml", stream, raw=True, size=size)
    return write_zip(members)


def _many_sheets(count: int) -> Callable[[], bytes]:
    """A workbook listing ``count`` sheets, all pointing at one small part."""
    def build() -> bytes:
        members = workbook_parts([("Spend", sheet_xml([HEADER] + ROWS))])
        sheets = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId1"/>' for i in range(1, count + 1))
        members[2] = Member("xl/workbook.xml", (XML + f"<workbook {NS} {NS_R}><sheets>{sheets}</sheets></workbook>").encode())
        return write_zip(members)
    return build


def _far_cell(cell: str, value: str = "<v>1</v>", attrs: str = "") -> Callable[[], bytes]:
    """The spend table, and one more cell at ``cell``."""
    def build() -> bytes:
        row = int("".join(ch for ch in cell if ch.isdigit()))
        extra = f'<row r="{row}"><c r="{cell}"{attrs}>{value}</c></row>' if value else f'<row r="{row}"><c r="{cell}"{attrs}/></row>'
        return spend_xlsx(extra_rows=extra)
    return build


def _prefixed_cells() -> bytes:
    """Every element written with a namespace prefix (x:row, x:c), as .NET's Open XML SDK can."""
    nsx = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rows = "".join(f'<x:row r="{r}">' + "".join(
        f'<x:c r="{col_letter(c)}{r}" t="inlineStr"><x:is><x:t>{escape(v)}</x:t></x:is></x:c>'
        for c, v in enumerate(row)) + "</x:row>" for r, row in enumerate([HEADER] + ROWS, 1))
    return write_zip(workbook_parts([("Spend", (XML + f"<x:worksheet {nsx}><x:sheetData>{rows}</x:sheetData>"
                                                       "</x:worksheet>").encode())]))


def _rows_out_of_order() -> bytes:
    xml = sheet_xml([HEADER] + ROWS)
    first, second = xml.index(b'<row r="2">'), xml.index(b'<row r="3">')
    end = xml.index(b"</sheetData>")
    return write_zip(workbook_parts([("Spend", xml[:first] + xml[second:end] + xml[first:second] + xml[end:])]))


def _semicolon_decimal_comma() -> bytes:
    """A continental export: semicolons, and amounts with a decimal comma."""
    rows = [r[:6] + [a] for r, a in zip(ROWS, ["1.234,56", "750,50"])]
    return spend_csv(rows=rows).replace(b",", b";").replace(b"1.234;56", b"1.234,56").replace(b"750;50", b"750,50") \
        .replace(b'"', b"")


def _cp1252_stray_quote() -> bytes:
    rows = _rows_with(5, ['6" pipe \u00a3', "Caf\u00e9 12\""])
    lines = [",".join(HEADER)] + [",".join(f'"{v}"' if "," in v else v for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


SPEND = [HEADER] + ROWS

CASES: list[Case] = [
    Case("empty.csv", "0 bytes", _bytes(b""), (2,), "the file is empty (0 bytes)", committed=True),
    Case("empty.xlsx", "0 bytes named .xlsx", _bytes(b""), (2,), "the file is empty (0 bytes)", committed=True),
    Case("empty.xls", "0 bytes named .xls", _bytes(b""), (2,), "the file is empty (0 bytes)", committed=True),
    Case("blank-lines.csv", "only spaces and line breaks", _bytes(b"\r\n  \r\n\t\r\n"), (2,), "only blank lines",
         committed=True),
    Case("header-only.csv", "the spend header and no rows", _bytes(spend_csv(rows=[])), (0, 1), "0 rows",
         committed=True, rows=[HEADER]),
    Case("not-a-zip.xlsx", "a text file named .xlsx", _bytes(b"This is not a workbook\n"), (2,),
         "not a readable .xlsx workbook", committed=True),
    Case("truncated.xlsx", "a valid workbook cut to half its bytes (no zip directory)", _bytes(_truncated_xlsx),
         (2,), "not a readable .xlsx workbook", committed=True),
    Case("corrupt-deflate.xlsx", "a valid workbook with 30 bytes of the sheet's compressed data flipped",
         _bytes(_corrupt_deflate_xlsx), (2,), "could not be read", committed=True),
    Case("zip-not-workbook.xlsx", "a zip holding only readme.txt", _bytes(_not_workbook_zip), (2,),
         "not an Excel workbook", committed=True),
    Case("no-workbook-rels.xlsx", "a workbook without xl/_rels/workbook.xml.rels", _bytes(_no_rels_xlsx), (2,),
         "could not be read", committed=True),
    Case("bad-workbook-xml.xlsx", "xl/workbook.xml is cut off mid-tag (not well-formed XML)",
         _bytes(_bad_workbook_xml), (2,), "could not be read", committed=True),
    Case("bad-sheet-xml.xlsx", "the sheet XML is cut off mid-tag", _bytes(_bad_sheet_xml), (2,),
         "could not be read", committed=True),
    Case("missing-sheet-part.xlsx", "the workbook lists a sheet whose XML part is missing",
         _bytes(_missing_sheet_part), (2,), "could not be read", committed=True),
    Case("billion-laughs-shared-strings.xlsx", "sharedStrings.xml declares 10 nested entities (10^9 'lol's)",
         _bytes(_billion_laughs_shared), (2,), "XML entity declarations", committed=True),
    Case("billion-laughs-shared-strings-late.xlsx", "the same, with the DOCTYPE after an 8 KB comment",
         _bytes(_billion_laughs_shared_late), (2,), "XML entity declarations", committed=True),
    Case("billion-laughs-sheet.xlsx", "the sheet XML declares 10 nested entities", _bytes(_billion_laughs_sheet),
         (2,), "XML entity declarations", committed=True),
    Case("billion-laughs-sheet-late.xlsx", "the same, with the DOCTYPE after an 8 KB comment",
         _bytes(_billion_laughs_sheet_late), (2,), "XML entity declarations", committed=True),
    Case("billion-laughs-workbook.xlsx", "xl/workbook.xml declares 10 nested entities",
         _bytes(_billion_laughs_workbook), (2,), "XML entity declarations", committed=True),
    Case("xxe.xlsx", "the sheet XML declares an external entity (file:///etc/passwd)", _bytes(_xxe_sheet), (2,),
         "XML entity declarations", committed=True),
    Case("bomb-sheet-3gib.xlsx", "the sheet XML inflates to 3 GiB of spaces (3 MB on disk; sizes declared honestly)",
         _bytes(_bomb("sheet", 3)), (2,), "would expand to", big=True),
    Case("bomb-sheet-lying.xlsx", "the same 3 GiB sheet, its zip entry declaring 10 MB",
         _bytes(_bomb("sheet", 3, declare=10 * 1024 * 1024)), (2,), "more than 1 MB of text", big=True),
    Case("bomb-sheet-1.9gib.xlsx", "the sheet XML inflates to 1.9 GiB of spaces: under the 2 GiB refusal limit",
         _bytes(_bomb("sheet", 1.9)), (2,), "more than 1 MB of text", big=True),
    Case("bomb-shared-strings.xlsx", "sharedStrings.xml inflates to 3 GiB of 'A' (one 3 GiB string)",
         _bytes(_bomb("shared", 3)), (2,), "would expand to", big=True),
    Case("bomb-shared-strings-lying.xlsx", "the same, its zip entry declaring 10 MB",
         _bytes(_bomb("shared", 3, declare=10 * 1024 * 1024)), (2,), "more than 1 MB of text", big=True),
    Case("bomb-cells.xlsx", "1.3 GiB of well-formed cells (45 million, 4 MB on disk): over the 10 million "
         "cells a sheet may hold", _bytes(_cell_bomb), (2,), "more than 10,000,000 cells", big=True),
    Case("password-protected.xlsx", "OLE2/CFB signature D0 CF 11 E0 A1 B1 1A E1 and EncryptionInfo/"
         "EncryptedPackage stream names, as Excel writes an encrypted workbook", _bytes(_ole_encrypted), (2,),
         "password-protected", committed=True),
    Case("password-protected.xls", "the same bytes named .xls", _bytes(_ole_encrypted), (2,),
         "could not be read", committed=True),
    Case("legacy.xls", "a real .xls written by xlwt: the spend header and two rows", _xls, (0, 1), "2 rows",
         rows=SPEND),
    Case("garbage.xls", "random bytes named .xls", _bytes(lambda: random.Random(2).randbytes(3000)), (2,),
         "could not be read", committed=True),
    Case("minimal.ods", "a hand-written ODS zip (mimetype, manifest, content.xml): header and two rows",
         _bytes(_ods), (0, 1), "2 rows", committed=True, rows=SPEND),
    Case("garbage.ods", "a zip holding only readme.txt, named .ods", _bytes(_not_workbook_zip), (2,),
         "could not be read", committed=True),
    Case("used-range-to-last-row.xlsx", "two rows of data, a <dimension> of A1:G1048576 and one formatted, empty "
         "cell on row 1,048,576", _bytes(_formatting_to_last_row), (0, 1), "2 rows", committed=True, rows=SPEND),
    Case("formatting-every-row.xlsx", "two rows of data, then a formatted empty cell on every row to 1,048,576",
         _formatting_every_row, (0, 1), "2 rows", big=True, rows=SPEND),
    Case("cells-32767.xlsx", "Purpose cells of 32,767 characters (Excel's limit)", _bytes(_long_cells), (0, 1),
         "2 rows", committed=True, rows=[HEADER] + [r[:5] + [LONG] + r[6:] for r in ROWS]),
    Case("formulas-no-cache.xlsx", "Amount cells hold formulas with no saved value (written by hand)",
         _bytes(lambda: _formulas(False)), (2,), "formula with no saved value", committed=True),
    Case("formulas-openpyxl.xlsx", "Amount cells hold formulas written by openpyxl (<v/>: no saved value)",
         _openpyxl_formulas, (2,), "formula with no saved value"),
    Case("formulas-cached.xlsx", "Amount cells hold formulas with saved values (written by hand)",
         _bytes(lambda: _formulas(True)), (0, 1), "2 rows", committed=True,
         rows=[HEADER] + [r[:6] + [v] for r, v in zip(ROWS, ["1234.56", "750.5"])]),
    Case("formulas-xlsxwriter.xlsx", "formulas with saved values written by xlsxwriter, as Excel saves them",
         _xlsxwriter_formulas, (0, 1), "2 rows", rows=[HEADER] + [r[:6] + [v] for r, v in zip(ROWS, ["1234.56", "750.5"])]),
    Case("binary.csv", "4 KB of random bytes named .csv", _bytes(_binary_csv), (2,), "not a CSV text file",
         committed=True),
    Case("workbook.csv", "a real .xlsx named .csv", _bytes(_real_xlsx), (2,), "this is an Excel workbook",
         committed=True),
    Case("nul-early.csv", "the spend CSV with a NUL byte in its first line", _bytes(spend_csv().replace(b"Organisation", b"Org\x00anisation", 1)),
         (2,), "not a CSV text file", committed=True),
    Case("nul-late.csv", "the spend CSV with a NUL byte inside a supplier name after 10 KB", _bytes(_nul_late_csv),
         (0, 1), "123 rows", committed=True),
    Case("utf16.csv", "the spend CSV saved as UTF-16 with a BOM (Excel's 'Unicode Text')",
         _bytes(lambda: "\ufeff".encode("utf-16-le") + spend_csv().decode().encode("utf-16-le")), (0, 1),
         "2 rows", committed=True, rows=SPEND),
    Case("mixed-encoding.csv", "line 2 in UTF-8 (£, é as two bytes), line 3 in cp1252 (£ = A3, é = E9)",
         _bytes(_mixed_encoding_csv), (0, 1), "2 rows", committed=True,
         rows=[HEADER, ROWS[0][:6] + ["£1234.56"], ROWS[1][:6] + ["£750.50"]]),
    Case("cp1252.csv", "the spend CSV in cp1252 (a UK ledger export)",
         _bytes(lambda: spend_csv().decode().encode("cp1252")), (0, 1), "2 rows", committed=True, rows=SPEND),
    Case("columns-10000.csv", "the spend header plus 9,993 more columns, two rows", _wide_csv, (0, 1), "2 rows",
         big=True),
    Case("empty-lines-1000000.csv", "the spend CSV followed by 1,000,000 empty lines", _empty_lines_csv, (0, 1),
         "checked as", big=True),
    Case("line-50mb.csv", "one row whose Purpose is a single 50 MB field", _long_line_csv, (2,),
         "no spreadsheet cell holds more than 32,767", big=True),
    Case("field-200kb.csv", "a 200 KB Purpose field in the first rows (over csv's 128 KB field limit)",
         _bytes(lambda: spend_csv(rows=[ROWS[0][:5] + ["y" * 200_000] + ROWS[0][6:]])), (2,),
         "no spreadsheet cell holds more than 32,767", big=True),
    Case("cells-32767.csv", "Purpose fields of 32,767 characters in a CSV", _bytes(lambda: spend_csv(
         rows=[r[:5] + [LONG] + r[6:] for r in ROWS])), (0, 1), "2 rows", big=True,
         rows=[HEADER] + [r[:5] + [LONG] + r[6:] for r in ROWS]),
    Case("duplicate-headers.csv", "two columns both headed Amount", _bytes(_dup_headers), (0, 1), "Amount",
         committed=True),
    Case("blank-headers.csv", "two columns with no heading (one holding data)", _bytes(_blank_headers), (0, 1),
         "checked as", committed=True),
    Case("unterminated-quote.csv", "a quoted field that never ends",
         _bytes(spend_csv() + b'https://anytown.gov.uk,"Anytown Borough Council,31/01/2025\r\n'), (0, 1, 2), "",
         committed=True),
    Case("cr-only.csv", "old Mac line endings (CR only)", _bytes(spend_csv(newline="\r")), (0, 1, 2), "",
         committed=True),
    Case("notes.pdf", "a file openbook does not read", _bytes(b"%PDF-1.4\n"), (2,), "openbook reads .xlsx",
         committed=True),
    Case("no-such-file.csv", "a path that does not exist", lambda p: p, (2,), "no such file or folder"),
    Case("empty-folder", "a folder holding no spreadsheet", _folder, (2,), "holds no .xlsx"),
    # issue 14: data safety (amounts, sheets, quotes, declared sizes, limits)
    Case("minus-signs.csv", "refunds written six ways: U+2212, en dash, trailing minus, CR, brackets, and a DR",
         _bytes(lambda: spend_csv(rows=_rows_with(6, MINUS_AMOUNTS))), (0, 1), "checked as", committed=True,
         rows=[HEADER] + _rows_with(6, MINUS_AMOUNTS)),
    Case("ambiguous-amounts.csv", "amounts whose separators or signs could mean two things (1.234,56; 1,5; -612.50 CR)",
         _bytes(lambda: spend_csv(rows=_rows_with(6, AMBIGUOUS_AMOUNTS))), (1,), "1.234,56", committed=True),
    Case("semicolon-decimal-comma.csv", "a continental export: semicolons and decimal commas (1.234,56; 750,50)",
         _bytes(_semicolon_decimal_comma), (1,), "750,50", committed=True),
    Case("cells-without-r.xlsx", "rows and cells with no r attribute (their place is their order)",
         _bytes(lambda: write_zip(workbook_parts([("Spend", _sheet_no_r([HEADER] + ROWS))]))), (0, 1), "2 rows",
         committed=True, rows=SPEND),
    Case("strict-ooxml.xlsx", "the workbook in Strict Open XML (purl.oclc.org namespaces)", _bytes(_strict_ooxml),
         (0, 1), "2 rows", committed=True, rows=SPEND),
    Case("data-after-formatting.xlsx", "the table starts on row 60,001, after 10 MB of formatted empty cells",
         _data_after_formatting, (0, 1), "2 rows", rows=SPEND),
    Case("prefixed-elements.xlsx", "every element with a namespace prefix (x:row, x:c), as .NET writers can",
         _bytes(_prefixed_cells), (0, 1), "2 rows", committed=True, rows=SPEND),
    Case("rows-out-of-order.xlsx", "row 3 written before row 2", _bytes(_rows_out_of_order), (0, 1), "2 rows",
         committed=True, rows=SPEND),
    Case("stray-quotes.csv", "inch marks and quotes inside unquoted fields (6\" pipe), as ledgers export them",
         _bytes(_stray_quotes_csv), (0, 1), "4 rows", committed=True, rows=STRAY_ROWS),
    Case("stray-quotes-cp1252.csv", "the same in a cp1252 file", _bytes(_cp1252_stray_quote), (0, 1), "2 rows",
         committed=True, rows=[HEADER] + _rows_with(5, ['6" pipe \u00a3', "Caf\u00e9 12\""])),
    Case("stray-quotes-20mb.csv", "20 MB of lines, an inch mark on every thousandth", _stray_quotes_big, (0, 1),
         "200,000 rows", big=True),
    Case("quote-never-closes-40mb.csv", "1 MB of lines, a quote that opens a field and never closes, then 40 MB",
         _quote_never_closes_big, (2,), "more than 16 MB", big=True),
    Case("line-40mb-fields.csv", "one 40 MB line of 20 million short fields", _wide_line_big, (2,),
         "more than 16 MB", big=True),
    Case("cr-only-20mb.csv", "20 MB with old Mac line endings (CR only): one 20 MB line to a CSV reader",
         _cr_only_big, (2,), "carriage return only", big=True),
    Case("columns-20000.csv", "a header of 20,000 columns (Excel has 16,384)", _bytes(_columns_20000), (2,),
         "columns a spreadsheet has", big=True),
    Case("shared-strings-count-2e9.xlsx", "sharedStrings.xml declares uniqueCount=\"2000000000\" in 1.8 KB "
         "(calamine reserved 48 GB and aborted)", _bytes(_shared_strings_declared(2_000_000_000)), (2,),
         "2,000,000,000 shared strings", committed=True),
    Case("shared-strings-count-large.xlsx", "sharedStrings.xml's count (cells using them) far above uniqueCount: "
         "true, and read", _bytes(_shared_strings_declared(14, 5_000_000)), (0, 1), "checked as", committed=True,
         rows=[HEADER, ROWS[0]]),
    Case("cells-without-r-bomb.xlsx", "1.4 GB of cells written <c> with no r (4 MB on disk)",
         _bytes(_no_r_cell_bomb), (2,), "more than 10,000,000 cells", big=True),
    Case("sheets-50000.xlsx", "a workbook listing 50,000 sheets", _bytes(_many_sheets(50_000)), (2,),
         "50,000 sheets", big=True),
    Case("value-far-corner.xlsx", "the table and one value at XFD1048576 (calamine would allocate 550 GB)",
         _bytes(_far_cell("XFD1048576")), (2,), "values spread over", committed=True),
    Case("empty-text-far-corner.xlsx", "the table and an empty text cell at XFD1048576",
         _bytes(_far_cell("XFD1048576", '<is><t></t></is>', ' t="inlineStr"')), (2,), "values spread over",
         committed=True),
    Case("value-far-below.xlsx", "the table and one value at Z400000 (10.4 million cells)",
         _bytes(_far_cell("Z400000")), (2,), "values spread over", committed=True),
    Case("formatted-far-corner.xlsx", "the table and a formatted, empty cell at XFD1048576 (holds nothing: read)",
         _bytes(_far_cell("XFD1048576", "", ' s="1"')), (0, 1), "2 rows", committed=True, rows=SPEND),
    Case("cell-beyond-xfd.xlsx", "a cell at XFE1, past Excel's last column", _bytes(_far_cell("XFE1")), (2,),
         "beyond XFD1048576", committed=True),
    Case("row-beyond-excel.xlsx", "a cell at A2000000, past Excel's last row", _bytes(_far_cell("A2000000")), (2,),
         "rows Excel allows", committed=True),
    # publish and compare
    Case("zip-slip.zip", "a package zip holding ../../evil.txt, given to publish", _bytes(_package_zip(["../../evil.txt"])),
         (2,), "a path outside the package", command="publish", committed=True),
    Case("zip-slip-absolute.zip", "a package zip holding /tmp/evil.txt, given to publish",
         _bytes(_package_zip(["/tmp/openbook-evil.txt"])), (2,), "a path outside the package", command="publish",
         committed=True),
    Case("zip-symlink.zip", "a package zip holding a symbolic link, given to publish",
         _bytes(_package_zip(["data/link"], symlink=True)), (2,), "symbolic link", command="publish",
         committed=True),
    Case("zip-slip-compare.zip", "a package zip holding ../../evil.txt, given to compare",
         _bytes(_package_zip(["../../evil.txt"])), (2,), "a path outside the package", command="compare",
         committed=True),
    Case("zip-symlink-compare.zip", "a package zip holding a symbolic link, given to compare",
         _bytes(_package_zip(["data/link"], symlink=True)), (2,), "symbolic link", command="compare",
         committed=True),
    Case("package-bomb.zip", "a package zip whose spend.csv inflates to 3 GiB, given to publish",
         _bytes(_package_bomb), (2,), "would expand to", command="publish", big=True),
    Case("package-bomb-compare.zip", "the same, given to compare", _bytes(_package_bomb), (2,), "would expand to",
         command="compare", big=True),
    Case("not-a-package.zip", "random bytes named .zip, given to publish",
         _bytes(lambda: random.Random(3).randbytes(1000)), (2,), "not a package folder or a .zip",
         command="publish", committed=True),
]


def build(case: Case, folder: Path) -> Path:
    return case.build(folder / case.name)


def write_committed(folder: Path = FILES) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [build(c, folder) for c in CASES if c.committed]


if __name__ == "__main__":
    for p in write_committed():
        print(f"{p.stat().st_size:>8}  {p.relative_to(HERE)}")
    sys.exit(0)
