"""Contracts checked on Polars columns: `validate` appends handoff's result columns.

    >>> import polars as pl, handoff.polars
    >>> lines = pl.read_csv("captures/payments.ndjson", has_header=False, separator="\x01",
    ...                     quote_char=None, new_columns=["value"])     # one row per line, unparsed
    >>> handoff.polars.validate(lines, "payment-status-to-storefront@^2", contracts="contracts")

The column goes to the Rust checker through the Arrow C interface, without a copy, and is
checked on every core. See docs/python.md.
"""

from __future__ import annotations

from ._handoff import Contract

#: The columns `validate` appends, in order.
RESULT_COLUMNS = ("valid", "violations", "kinds", "findings")


def validate(df, contract: str | Contract, column: str = "value", contracts: str | None = None, redact: str = "sensitive"):
    """`df` with `valid`, `violations`, `kinds` and `findings` appended, one row per value of
    `column` (JSON documents as strings or binary)."""
    import polars as pl

    clash = [name for name in RESULT_COLUMNS if name in df.columns]
    if clash:
        raise ValueError(
            f"the DataFrame already has {', '.join(clash)}: rename them before validate, "
            f"which appends {', '.join(RESULT_COLUMNS)}"
        )
    if column not in df.columns:
        raise ValueError(f"the DataFrame has no column {column!r}; it has {df.columns}")
    if not isinstance(contract, Contract):
        contract = Contract.load(contract, contracts=contracts, redact=redact)
    result = contract.check_arrow(df.get_column(column))
    return pl.concat([df, pl.from_arrow(result)], how="horizontal")
