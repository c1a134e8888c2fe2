"""The Python package against the command line: the same findings, the same redaction, the same
errors, for every shipped capture; Arrow columns from pyarrow, Polars and DuckDB; Spark's
mapInArrow. Run from the repository root (crates/handoff-py/run-tests does)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import handoff

ROOT = Path(__file__).resolve().parents[3]
HANDOFF = os.environ.get("HANDOFF_BIN", str(ROOT / "target" / "debug" / "handoff"))


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def cli_results(*args):
    out = subprocess.run(
        [HANDOFF, "check", "--format", "json", *args],
        capture_output=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "HANDOFF_CONFIG"},
    )
    assert out.returncode in (0, 1), out.stderr.decode()
    return json.loads(out.stdout)["results"]


def captures(suffix):
    """(file, contract reference) for every capture ending in `suffix`, valid or not, of each
    fixture directory whose contract the project's failing captures of that kind name."""
    contracts = {}
    for r in cli_results():
        path = Path(r["source"]["path"])
        if path.suffix == suffix:
            contracts[path.parts[1]] = r["contract"]
    return sorted(
        (str(f.relative_to(ROOT)), reference)
        for boundary, reference in contracts.items()
        for f in (ROOT / "fixtures" / boundary).rglob("*" + suffix)
    )


def json_files():
    return captures(".json")


def test_load_by_reference_and_path():
    c = handoff.Contract.load("storefront-order-to-erp@^2", contracts="contracts")
    assert (c.id, c.version, c.reference) == ("storefront-order-to-erp", "2.0.0", "storefront-order-to-erp@2.0.0")
    assert c.redact == "sensitive"
    by_path = handoff.Contract.load("contracts/storefront-order-to-erp/2.0.0.yaml")
    assert by_path.reference == c.reference
    assert c.text.startswith("contract: storefront-order-to-erp") or "storefront-order-to-erp" in c.text


def test_every_json_capture_gives_the_findings_the_command_line_reports():
    files = json_files()
    assert len(files) >= 12, files
    assert any("/valid/" in f for f, _ in files) and any("/invalid/" in f for f, _ in files)
    for path, reference in files:
        c = handoff.Contract.load(reference, contracts="contracts")
        got = [f.to_dict() for f in c.check(Path(path).read_bytes())]
        expected = [r["findings"] for r in cli_results("--contract", reference, path)]
        assert got == (expected[0] if expected else []), path


def test_every_ndjson_line_gives_the_findings_the_command_line_reports_for_it():
    # The command line numbers lines in the file; the package checks one line, so line 1.
    def moved(finding, line):
        return {**finding, "position": {**finding["position"], "line": line}} if "position" in finding else finding

    files = captures(".ndjson")
    assert len(files) >= 2 and any("/valid/" in f for f, _ in files), files
    for path, reference in files:
        c = handoff.Contract.load(reference, contracts="contracts")
        by_line = {r["source"]["line"]: r["findings"] for r in cli_results("--contract", reference, path)}
        for number, line in enumerate(Path(path).read_bytes().split(b"\n"), start=1):
            if not line.strip():
                continue
            got = [moved(f.to_dict(), number) for f in c.check(line)]
            assert got == by_line.get(number, []), f"{path}:{number}"


def test_finding_fields():
    c = handoff.Contract.load("storefront-order-to-erp@^2", contracts="contracts")
    f = c.check('{"order_id": 5}')[0]
    assert (f.kind, f.pointer) == ("missing_required", "/order_number")
    assert f.line == 1 and f.column == 1
    assert f.contract_line.startswith("contracts/storefront-order-to-erp/2.0.0.yaml:")
    wrong = [f for f in c.check('{"order_id": 5}') if f.pointer == "/order_id"][0]
    assert (wrong.kind, wrong.value, wrong.expected) == ("wrong_type", "5", "a string")
    assert "Finding(kind=" in repr(wrong)


def test_str_bytes_bytearray_and_memoryview_are_payloads():
    c = handoff.Contract.load("storefront-order-to-erp@^2", contracts="contracts")
    text = '{"order_id": 5}'
    as_str = [f.to_dict() for f in c.check(text)]
    for payload in (text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        assert [f.to_dict() for f in c.check(payload)] == as_str
    with pytest.raises(TypeError, match="a payload is bytes or str, not int"):
        c.check(5)


def test_check_many_equals_check_in_order_on_any_number_of_threads():
    c = handoff.Contract.load("payment-status-to-storefront@^2", contracts="contracts")
    lines = Path("fixtures/payment-status-to-storefront/invalid/2026-11-21.ndjson").read_bytes().splitlines()
    payloads = [line for line in lines if line.strip()] * 50
    one_by_one = [[f.to_dict() for f in c.check(p)] for p in payloads]
    for jobs in (None, 1, 2, 7):
        many = c.check_many(payloads, jobs=jobs)
        assert [[f.to_dict() for f in fs] for fs in many] == one_by_one
    assert c.check_many([]) == []


def test_redaction_follows_the_policy_and_card_numbers_are_always_masked():
    card = "4111111111111111"
    contract = (ROOT / "contracts/storefront-order-to-erp/2.0.0.yaml").read_text()
    text = contract + "\n" if not contract.endswith("\n") else contract
    for policy in ("none", "sensitive", "all"):
        c = handoff.Contract.from_text(text, name="orders.yaml", redact=policy)
        shown = json.dumps([f.to_dict() for f in c.check('{"order_id": "%s"}' % card)])
        assert card not in shown, policy
    everything = handoff.Contract.load("storefront-order-to-erp@^2", contracts="contracts", redact="all")
    assert all(f.value is None for f in everything.check('{"order_id": 5}'))
    with pytest.raises(ValueError, match='redact="some" is not a policy; use one of: none, sensitive, all'):
        handoff.Contract.load("storefront-order-to-erp@^2", contracts="contracts", redact="some")


def test_a_contract_that_does_not_load_raises_contract_error_with_lint_diagnostics():
    with pytest.raises(handoff.ContractError) as err:
        handoff.Contract.from_text("contract: orders\n", name="orders.yaml")
    assert str(err.value).startswith("the contract has 3 errors\norders.yaml:1:1: error[missing-key]")
    assert isinstance(err.value, ValueError)
    with pytest.raises(handoff.ContractError, match="storefront-order-to-erp"):
        handoff.Contract.load("storefront-order-to-rep", contracts="contracts")


pa = pytest.importorskip("pyarrow")


def test_check_arrow_gives_one_signed_result_row_per_value():
    c = handoff.Contract.load("storefront-order-to-erp@^2", contracts="contracts")
    valid = Path("fixtures/storefront-order-to-erp/valid/paid-two-lines.json").read_text()
    batch = c.check_arrow(pa.array([valid, '{"order_id": 1}', None, "nope"]))
    assert batch.schema.names == ["valid", "violations", "kinds", "findings"]
    assert [str(t) for t in batch.schema.types] == ["bool", "int32", "list<item: string>", "string"]
    rows = batch.to_pydict()
    assert rows["valid"] == [True, False, False, False]
    assert rows["violations"][0] == 0 and rows["violations"][1] == len(c.check('{"order_id": 1}'))
    assert rows["kinds"][2] == ["unreadable"] and rows["kinds"][3] == ["invalid_json"]
    assert json.loads(rows["findings"][1]) == [f.to_dict() for f in c.check('{"order_id": 1}')]
    assert json.loads(rows["findings"][0]) == []


def test_check_arrow_takes_every_string_and_binary_layout():
    c = handoff.Contract.load("storefront-order-to-erp@^2", contracts="contracts")
    docs = ['{"order_id": 1}', "{}", "[]"]
    expected = c.check_arrow(pa.array(docs)).to_pydict()
    for arr in (
        pa.array(docs, type=pa.large_string()),
        pa.array(docs, type=pa.string_view()),
        pa.array([d.encode() for d in docs], type=pa.binary()),
        pa.array([d.encode() for d in docs], type=pa.large_binary()),
        pa.array([d.encode() for d in docs], type=pa.binary_view()),
        pa.chunked_array([docs[:1], docs[1:]]),
    ):
        assert c.check_arrow(arr).to_pydict() == expected, arr.type
    with pytest.raises(TypeError, match="holds Int64 values"):
        c.check_arrow(pa.array([1, 2]))


def test_polars_and_duckdb_columns():
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    import handoff.polars

    c = handoff.Contract.load("storefront-order-to-erp@^2", contracts="contracts")
    df = pl.DataFrame({"value": ['{"order_id": 1}', None]})
    out = handoff.polars.validate(df, c)
    assert out.columns == ["value", "valid", "violations", "kinds", "findings"]
    assert out["kinds"].to_list()[1] == ["unreadable"]
    with pytest.raises(ValueError, match="already has valid: rename them before validate"):
        handoff.polars.validate(out.select("value", "valid"), c)
    with pytest.raises(ValueError, match="the DataFrame has no column 'body'"):
        handoff.polars.validate(df, c, column="body")
    rel = duckdb.sql("select '{}' as value union all select '[]'")
    assert c.check_arrow(rel.fetch_arrow_table()["value"]).num_rows == 2


def test_spark_validate_appends_the_results_with_map_in_arrow():
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (crates/handoff-py/run-tests installs openjdk-17-jre-headless)")
    from pyspark.sql import SparkSession

    from handoff.spark import validate

    # The workers must run this interpreter, the one handoff and pyarrow are installed in.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("handoff-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    try:
        lines = Path("fixtures/payment-status-to-storefront/invalid/2026-11-21.ndjson").read_text().splitlines()
        rows = [(i, line) for i, line in enumerate(lines) if line.strip()] + [(99, None)]
        df = spark.createDataFrame(rows, "id long, value string").repartition(2)
        out = validate(df, "payment-status-to-storefront@^2", contracts="contracts").orderBy("id").collect()
        c = handoff.Contract.load("payment-status-to-storefront@^2", contracts="contracts")
        for row in out[:-1]:
            expected = [f.to_dict() for f in c.check(row["value"])]
            assert json.loads(row["findings"]) == expected
            assert row["valid"] == (not expected) and row["violations"] == len(expected)
        assert out[-1]["kinds"] == ["unreadable"]
        with pytest.raises(ValueError, match="already has valid"):
            validate(df.withColumnRenamed("id", "valid"), c)
    finally:
        spark.stop()


def test_the_package_docstring_example_runs():
    import doctest

    failed, attempted = doctest.testmod(handoff, raise_on_error=False)[:2]
    assert attempted >= 3 and failed == 0


def test_spark_on_ten_thousand_lines_counts_exactly_the_invalid_ones():
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (crates/handoff-py/run-tests installs openjdk-17-jre-headless)")
    from pyspark.sql import SparkSession, functions as F

    from handoff.spark import validate

    fixtures = ROOT / "fixtures/payment-status-to-storefront"
    valid = [l for l in (fixtures / "valid/2026-11-20.ndjson").read_text().splitlines() if l.strip()]
    invalid = [l for l in (fixtures / "invalid/2026-11-21.ndjson").read_text().splitlines() if l.strip()]
    c = handoff.Contract.load("payment-status-to-storefront@^2", contracts="contracts")
    valid = [l for l in valid if not c.check(l)]
    invalid = [l for l in invalid if c.check(l)]
    assert valid and invalid
    # Every 37th line is invalid: 271 of 10,000.
    lines = [invalid[i % len(invalid)] if i % 37 == 0 else valid[i % len(valid)] for i in range(10_000)]
    expected_invalid = sum(1 for i in range(10_000) if i % 37 == 0)
    expected_violations = sum(len(c.check(l)) for l in lines)

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
    try:
        df = spark.createDataFrame([(l,) for l in lines], "value string").repartition(4)
        out = validate(df, "payment-status-to-storefront@^2", contracts="contracts")
        counts = out.agg(
            F.count("*").alias("rows"),
            F.sum(F.when(~F.col("valid"), 1).otherwise(0)).alias("invalid"),
            F.sum("violations").alias("violations"),
        ).collect()[0]
        assert (counts["rows"], counts["invalid"], counts["violations"]) == (10_000, expected_invalid, expected_violations)
    finally:
        spark.stop()

    # The command line agrees on the same lines.
    capture = ROOT / "target" / "python-spark-10k.ndjson"
    capture.write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        [HANDOFF, "check", "--format", "json", "--contract", "payment-status-to-storefront@^2", str(capture)],
        capture_output=True,
        cwd=ROOT,
    )
    summary = json.loads(out.stdout)["summary"]
    assert (summary["payloads"], summary["invalid"], summary["violations"]) == (10_000, expected_invalid, expected_violations)
