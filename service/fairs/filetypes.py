"""What an uploaded file is, read from its bytes (never its name), and whether a workbook's zip
may be inflated. Pure."""

import io
import zipfile
from typing import Literal

Format = Literal["csv", "xlsx"]
# a workbook of 5,000 rows inflates to a few tens of MB at a ratio of 5-30; a zip bomb does not
MAX_ZIP_ENTRIES = 1000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100  # for entries over 1 MB inflated
_NOT_TABLES = {
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) workbook; save it as .xlsx or 'CSV UTF-8'",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}


def detect_format(data: bytes) -> Format:
    """What the bytes are, whatever the file is called: an XLSX workbook (a zip holding
    xl/workbook.xml) or text (CSV); ValueError naming what else it is."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile as exc:
            raise ValueError("file: a damaged zip archive, not a readable XLSX workbook") from exc
        if "xl/workbook.xml" not in names:
            raise ValueError("file: a zip archive but not an XLSX workbook")
        return "xlsx"
    for magic, what in _NOT_TABLES.items():
        if data.startswith(magic):
            raise ValueError(f"file: {what}, not a CSV or XLSX file")
    if b"\0" in data[:65536]:
        raise ValueError("file: binary data, not a CSV or XLSX file")
    return "csv"


def check_zip(data: bytes) -> None:
    """Refuse a zip bomb before openpyxl inflates it: the entries, their inflated size and
    ratio, as the zip's directory declares them (zipfile never inflates past that size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as exc:
        raise ValueError("file: not a readable XLSX workbook (damaged zip)") from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ValueError(
            f"file: {len(infos)} zip entries; a workbook has at most {MAX_ZIP_ENTRIES}"
        )
    if (total := sum(i.file_size for i in infos)) > MAX_UNZIPPED_BYTES:
        raise ValueError(f"file: {total} bytes uncompressed; at most {MAX_UNZIPPED_BYTES}")
    for i in infos:
        if i.file_size > 2**20 and i.file_size > MAX_ZIP_RATIO * i.compress_size:
            raise ValueError(
                f"file: {i.filename} has a compression ratio over {MAX_ZIP_RATIO} (a zip bomb?)"
            )
