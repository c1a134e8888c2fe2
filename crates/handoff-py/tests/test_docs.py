"""Every Python block of docs/python.md and docs/spark.md runs as written, from the repository
root; a block the docs mark `<!-- not run: REASON -->` (a cluster's storage, a fragment) is
listed as skipped with its reason. After spark.md's local example, its shell block's commands
run too (triage on the exception log the example wrote)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def blocks(doc):
    """(language, code, reason it is not run or None) of each fenced block of `doc`."""
    text = (ROOT / "docs" / doc).read_text()
    out = []
    for m in re.finditer(r"(?:<!-- not run: (.*?) -->\n)?```(\w*)\n(.*?)```", text, re.S):
        out.append((m.group(2), m.group(3), m.group(1)))
    return out


def run_python(code, doc, index):
    os.chdir(ROOT)
    exec(compile(code, f"{doc} python block {index}", "exec"), {"__name__": "__docs__"})


@pytest.mark.parametrize("index", range(len([b for b in blocks("python.md") if b[0] == "python"])))
def test_python_md_block(index):
    code, reason = [(c, r) for lang, c, r in blocks("python.md") if lang == "python"][index]
    if reason:
        pytest.skip(f"docs/python.md block {index} is marked not run: {reason}")
    run_python(code, "docs/python.md", index)


def test_python_md_has_no_unrun_block():
    assert [r for lang, _, r in blocks("python.md") if lang == "python" and r] == []


def test_spark_md_local_example_and_the_triage_after_it():
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (crates/handoff-py/run-tests installs openjdk-17-jre-headless)")
    python = [(c, r) for lang, c, r in blocks("spark.md") if lang == "python"]
    run = [c for c, r in python if not r]
    skipped = [r for _, r in python if r]
    assert len(run) == 1 and len(skipped) == 2, (len(run), skipped)
    shutil.rmtree(ROOT / "target" / "spark-exceptions", ignore_errors=True)
    run_python(run[0], "docs/spark.md", 0)
    parts = list((ROOT / "target" / "spark-exceptions").glob("part-*.json"))
    assert parts, "the example wrote no exception log"
    shell = [c for lang, c, _ in blocks("spark.md") if lang == "sh"]
    assert len(shell) == 1
    env = {**os.environ, "PATH": f"{ROOT / 'target' / 'debug'}:{os.environ['PATH']}", "NO_COLOR": "1"}
    outputs = []
    for line in shell[0].strip().splitlines():
        out = subprocess.run(["bash", "-c", line], cwd=ROOT, env=env, capture_output=True, text=True)
        assert out.returncode in (0, 1), f"{line}\n{out.stderr}"
        outputs.append(out)
    rows = (ROOT / "target" / "exceptions.ndjson").read_text().splitlines()
    invalid = 4  # fixtures/payment-status-to-storefront: 4 invalid payloads in all
    assert len(rows) == invalid
    assert f"triage of target/exceptions.ndjson: {invalid} rows read, {invalid} used, 0 rejected" in outputs[-1].stdout
