"""Reading an uploaded CSV file, for every import (a list's people, the do-not-contact list): one
place decides the encoding, the separator, which rows count and the limits, and says in words what is
wrong with a file it cannot read.

Encodings: UTF-8 with or without a byte-order mark, and UTF-16 with one (Excel's "Unicode text"). Any
other file is refused rather than guessed at: a wrong guess would import "JÃ©rÃ´me" silently.
Separators: the one the first row uses most of comma, semicolon (Excel where the decimal mark is a
comma) and tab. Rows are numbered as a spreadsheet shows them (the first row is 1); blank rows are
left out but keep their numbers, so a reported row number is the one the user finds in the file.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

DELIMITERS = ",;\t"
# A byte-order mark says what the file is; checked longest first.
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Cells as long as a page of text are not a person's name or an address: the csv module's own limit.
csv.field_size_limit(1_000_000)


class CsvFileError(ValueError):
    """The file cannot be read; the message says why and what to do, for the user."""


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB" if size >= 1_000_000 else f"{size / 1000:.0f} KB"


@dataclass(frozen=True)
class CsvText:
    """A decoded file and its separator."""

    text: str
    delimiter: str

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) for each row that is not blank."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                if any(cell.strip() for cell in cells):
                    yield number, cells
        except csv.Error as error:
            raise CsvFileError(
                f"The file is not a readable CSV file (row {number + 1}: {error}). Save it again as CSV "
                "from your spreadsheet and upload it."
            ) from None


def decode(data: bytes) -> str:
    encoding = next((name for bom, name in BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise CsvFileError(
            'The file is not UTF-8 text. Save it as "CSV UTF-8" (in Excel: Save As, CSV UTF-8) and '
            "upload it again."
        ) from None


def delimiter_of(text: str) -> str:
    """The separator the first row uses most (a one-column file has none: a comma then)."""
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else ","


def open_csv(data: bytes, *, max_bytes: int, what: str = "imports take") -> CsvText:
    """The file decoded, or CsvFileError when it is too large, not text we can read, or empty."""
    check_size(len(data), max_bytes=max_bytes, what=what)
    text = decode(data)
    if not text.strip():
        raise CsvFileError("The file is empty.")
    return CsvText(text=text, delimiter=delimiter_of(text))


def check_size(size: int, *, max_bytes: int, what: str = "imports take"):
    if size > max_bytes:
        raise CsvFileError(
            f"The file is {megabytes(size)}; {what} files up to {megabytes(max_bytes)}. "
            "Split it into smaller files."
        )


def check_row_count(count: int, *, max_rows: int, what: str = "imports take"):
    if count > max_rows:
        raise CsvFileError(
            f"The file has more than {max_rows:,} rows; {what} up to {max_rows:,}. "
            "Split it into smaller files."
        )


def read_rows(data: bytes, *, max_bytes: int, max_rows: int, what: str = "imports take"):
    """[(row number, cells)] of the non-blank rows of a whole file: at most `max_rows`, plus one
    for a header row."""
    rows = []
    for row in open_csv(data, max_bytes=max_bytes, what=what).rows():
        rows.append(row)
        check_row_count(len(rows) - 1, max_rows=max_rows, what=what)
    if not rows:
        raise CsvFileError("The file is empty.")
    return rows
