"""Payout providers: how a payout batch reaches the bank. One real, offline one: a CSV file.

The CSV bank file (UTF-8, comma-separated, RFC 4180 quoting, CRLF line ends, one header row):

    payout_id,batch,expert_id,name,email,currency,amount,reference

- payout_id: the payout item's id (UUID), unique; use it to report paid or failed rows back;
- batch: the batch key (e.g. 2026-11-24);
- expert_id, name, email: the payee (cells that a spreadsheet would run as a formula, those
  starting with = + - @ or a control character, are prefixed with an apostrophe);
- currency: ISO 4217 code; amount: major units with the currency's exponent, a dot as the
  decimal separator, no thousands separator (CNY 12345 minor -> 123.45, JPY 500 -> 500);
- reference: `MKT-<batch>-<first 8 hex digits of payout_id>`, upper-case, the transfer's
  remittance text; <batch> is the key's letters and digits only, upper-cased and cut to 16
  characters (2026-11-24 -> 20261124), so the whole reference stays within 29 characters.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from marketplace.rewards.currencies import format_minor

CSV_COLUMNS = (
    "payout_id",
    "batch",
    "expert_id",
    "name",
    "email",
    "currency",
    "amount",
    "reference",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class PayoutRow:
    """One transfer to make: who, how much (minor units), and its reference."""

    payout_id: uuid.UUID
    batch: str
    expert_id: uuid.UUID
    name: str
    email: str
    currency: str
    amount: int

    @property
    def reference(self) -> str:
        """The remittance text the expert sees on the transfer."""
        batch = re.sub(r"[^A-Za-z0-9]", "", self.batch).upper()[:16]
        return f"MKT-{batch}-{self.payout_id.hex[:8].upper()}"


class PayoutProvider(Protocol):
    """Submits a batch of transfers; returns where it went (a file path, a provider id)."""

    name: str

    def submit(self, batch_key: str, rows: Sequence[PayoutRow]) -> str:
        """Hand the batch's rows over; may be called again for the same batch (idempotent)."""
        ...


class CsvBankFileProvider:
    """Writes `<directory>/<batch key>.csv` for a finance team to upload to its bank."""

    name = "csv_bank_file"

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def path_for(self, batch_key: str) -> str:
        """Where the file of a batch goes."""
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", batch_key)
        return os.path.join(self.directory, f"{safe}.csv")

    def submit(self, batch_key: str, rows: Sequence[PayoutRow]) -> str:
        """Write the whole file atomically (a reader never sees half of it); returns its path."""
        os.makedirs(self.directory, exist_ok=True)
        path = self.path_for(batch_key)
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
        try:
            with os.fdopen(handle, "w", newline="", encoding="utf-8") as file:
                file.write(render_csv(rows))
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        return path


def render_csv(rows: Sequence[PayoutRow]) -> str:
    """The bank file's text: the header row, then one row per transfer (CRLF line ends)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_cells(row) for row in rows)
    return buffer.getvalue()


def _cells(row: PayoutRow) -> list[str]:
    return [
        str(row.payout_id),
        _safe(row.batch),
        str(row.expert_id),
        _safe(row.name),
        _safe(row.email),
        row.currency,
        format_minor(row.amount, row.currency),
        row.reference,
    ]


def _safe(text: str) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
