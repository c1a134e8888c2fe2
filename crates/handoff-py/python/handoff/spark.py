"""Contracts checked inside Spark: `validate` appends handoff's result columns to a DataFrame.

    >>> from handoff.spark import validate
    >>> checked = validate(df, "storefront-order-to-erp@^2", column="value", contracts="contracts")
    >>> checked.where("not valid").select("value", "kinds", "findings")

Rows never pass through Python one by one: each partition's Arrow batches go to the Rust
checker whole (`mapInArrow`), and the contract travels to the executors as its text, so they
need no copy of the registry. See docs/spark.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._handoff import Contract

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame

#: The columns `validate` appends, in order.
RESULT_COLUMNS = ("valid", "violations", "kinds", "findings")


def result_schema(schema):
    """`schema` with the result columns appended (Spark types; all signed)."""
    from pyspark.sql.types import (
        ArrayType,
        BooleanType,
        IntegerType,
        StringType,
        StructField,
        StructType,
    )

    clash = [name for name in RESULT_COLUMNS if name in schema.fieldNames()]
    if clash:
        raise ValueError(
            f"the DataFrame already has {', '.join(clash)}: rename them before validate, "
            f"which appends {', '.join(RESULT_COLUMNS)}"
        )
    return StructType(
        list(schema.fields)
        + [
            StructField("valid", BooleanType(), False),
            StructField("violations", IntegerType(), False),
            StructField("kinds", ArrayType(StringType(), True), False),
            StructField("findings", StringType(), False),
        ]
    )


def validate(
    df: "DataFrame",
    contract: str | Contract,
    column: str = "value",
    contracts: str | None = None,
    redact: str = "sensitive",
) -> "DataFrame":
    """Check `column` (JSON documents as strings or binary) of every row against `contract`
    (a Contract, or a reference or path loaded on the driver with `contracts`), returning `df`
    with `valid`, `violations`, `kinds` and `findings` (the JSON array `--format json` writes)
    appended. A null value is a row with an `unreadable` finding."""
    from pyspark.sql.types import BinaryType, StringType

    if not isinstance(contract, Contract):
        contract = Contract.load(contract, contracts=contracts, redact=redact)
    if column not in df.schema.fieldNames():
        raise ValueError(f"the DataFrame has no column {column!r}; it has {df.schema.fieldNames()}")
    kind = df.schema[column].dataType
    if not isinstance(kind, (StringType, BinaryType)):
        raise TypeError(
            f"column {column!r} is {kind.simpleString()}; validate checks JSON documents held as string or binary"
        )
    schema = result_schema(df.schema)
    # Plain values only: the closure is pickled to every executor.
    text, name, policy = contract.text, contract.path, contract.redact

    def check(batches):
        import pyarrow as pa
        from pyspark import TaskContext

        from handoff import Contract

        # Spark runs a task per core it grants (spark.task.cpus); more threads would only
        # compete with the other tasks on the executor.
        task = TaskContext.get()
        jobs = max(1, task.cpus()) if task is not None else 1
        checker = Contract.from_text(text, name=name, redact=policy)
        for batch in batches:
            result = checker.check_arrow(batch.column(column), jobs=jobs)
            yield pa.RecordBatch.from_arrays(
                list(batch.columns) + list(result.columns),
                schema=pa.schema(list(batch.schema) + list(result.schema)),
            )

    return df.mapInArrow(check, schema)
