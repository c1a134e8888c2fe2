"""The Python package beside the command line on one corpus, printed as
`name|payloads|seconds|invalid` lines for benches/python.sh. Every measurement runs once per
round and the rounds repeat `runs` times (the best time of each is kept), so the command line
and the package are measured side by side through the same minutes of a machine whose speed
drifts: `handoff check --jobs N` on the file; Contract.check_many and check_arrow on one thread
and on every core; Polars and DuckDB reading the file and checking its column; and, given a
larger file, Spark local[N] validating its lines through mapInArrow beside the command line on
that file."""

import argparse
import json
import os
import subprocess
import sys
import time

import handoff


def cli(binary, contract, path, jobs):
    def run():
        out = subprocess.run(
            [binary, "check", "--contract", contract, "--format", "json", "--no-progress", "--jobs", str(jobs), path],
            capture_output=True,
        )
        return json.loads(out.stdout)["summary"]["invalid"]

    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("handoff")
    ap.add_argument("contract")
    ap.add_argument("ndjson")
    ap.add_argument("--spark-ndjson")
    ap.add_argument("--spark-lines", type=int)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cores", type=int, default=os.cpu_count())
    args = ap.parse_args()
    c = handoff.Contract.load(args.contract)
    with open(args.ndjson, "rb") as f:
        lines = [line for line in f.read().split(b"\n") if line.strip()]
    n = len(lines)

    import duckdb
    import polars as pl
    import pyarrow as pa

    from handoff.polars import validate as polars_validate

    column = pa.array(lines, type=pa.binary())

    def arrow_invalid(batch):
        return batch.num_rows - sum(batch["valid"].to_pylist())

    def polars_run():
        df = pl.read_csv(args.ndjson, has_header=False, separator="\x01", quote_char=None, new_columns=["value"])
        return int((~polars_validate(df, c)["valid"]).sum())

    def duckdb_run():
        rel = duckdb.sql(
            f"select value from read_csv('{args.ndjson}', columns={{'value': 'VARCHAR'}}, "
            "delim='\\x01', quote='', escape='', header=false)"
        )
        return arrow_invalid(c.check_arrow(rel.fetch_arrow_table()["value"]))

    # (name, payloads, run -> invalid count)
    plan = []
    for jobs in (1, args.cores):
        plan.append((f"handoff check --jobs {jobs}", n, cli(args.handoff, args.contract, args.ndjson, jobs)))
        plan.append((f"check_many, jobs={jobs}", n, lambda jobs=jobs: sum(1 for fs in c.check_many(lines, jobs=jobs) if fs)))
        plan.append(
            (f"check_arrow, jobs={jobs} (column in memory)", n, lambda jobs=jobs: arrow_invalid(c.check_arrow(column, jobs=jobs)))
        )
    plan.append(("Polars read_csv + handoff.polars.validate (every core)", n, polars_run))
    plan.append(("DuckDB read_csv + check_arrow (every core)", n, duckdb_run))

    if args.spark_ndjson:
        os.environ["PYSPARK_PYTHON"] = sys.executable
        os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
        from pyspark.sql import SparkSession, functions as F

        from handoff.spark import validate

        spark = (
            SparkSession.builder.master(f"local[{args.cores}]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "4g")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")

        def spark_run():
            df = spark.read.text(args.spark_ndjson).where(F.trim("value") != "")
            return validate(df, c).where(~F.col("valid")).count()

        spark_run()  # the first run starts the Python workers and warms the JIT: not counted
        big = args.spark_lines
        plan.append((f"handoff check --jobs {args.cores}, {big} lines", big, cli(args.handoff, args.contract, args.spark_ndjson, args.cores)))
        plan.append((f"Spark local[{args.cores}]: read.text + validate + count invalid, {big} lines", big, spark_run))

    best = {}
    invalid = {}
    for _ in range(args.runs):
        for name, _, run in plan:
            start = time.perf_counter()
            invalid[name] = run()
            secs = time.perf_counter() - start
            best[name] = min(best.get(name, secs), secs)
    for name, payloads, _ in plan:
        print(f"{name}|{payloads}|{best[name]:.3f}|{invalid[name]}", flush=True)


if __name__ == "__main__":
    main()
