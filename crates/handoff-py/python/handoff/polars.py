"""Contracts checked on Polars columns: `validate` appends handoff's result columns.

    >>> import polars as pl, handoff.polars
    >>> handoff.polars.validate(pl.read_ndjson(...), contract, column="value")

The column goes to the Rust checker through the Arrow C interface, without a copy. See
docs/python.md.
"""

from __future__ import annotations

from ._handoff import Contract


def validate(df, contract: str | Contract, column: str = "value", contracts: str | None = None, redact: str = "sensitive"):
    """`df` with `valid`, `violations`, `kinds` and `findings` appended, one row per value of
    `column` (JSON documents as strings or binary)."""
    import polars as pl

    if not isinstance(contract, Contract):
        contract = Contract.load(contract, contracts=contracts, redact=redact)
    result = contract.check_arrow(df.get_column(column))
    return pl.concat([df, pl.from_arrow(result)], how="horizontal")
