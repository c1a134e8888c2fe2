from collections.abc import Iterable
from os import PathLike

import pyarrow

Payload = bytes | bytearray | memoryview | str

class ContractError(ValueError):
    """A contract that does not load; the message is `handoff lint`'s diagnostics."""

class Finding:
    """One violation in one payload, as `handoff check --format json` reports it."""

    kind: str
    pointer: str
    value: str | None
    message: str
    expected: str
    suggestion: str | None
    line: int | None
    column: int | None
    contract_line: str | None
    redacted: bool
    json: str
    def to_dict(self) -> dict[str, object]: ...

class Contract:
    """A contract, loaded and compiled once, checking payloads."""

    @staticmethod
    def load(
        reference: str,
        contracts: str | PathLike[str] | None = None,
        redact: str = "sensitive",
    ) -> Contract: ...
    @staticmethod
    def from_text(text: str, name: str = "contract.yaml", redact: str = "sensitive") -> Contract: ...
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def redact(self) -> str: ...
    def check(self, payload: Payload) -> list[Finding]: ...
    def check_many(self, payloads: Iterable[Payload], jobs: int | None = None) -> list[list[Finding]]: ...
    def check_arrow(self, data: object, jobs: int | None = None) -> "pyarrow.RecordBatch":
        """One result row per value of an Arrow string, large_string, string_view, binary,
        large_binary or binary_view array (or chunked array, or any object with
        `__arrow_c_array__` / `__arrow_c_stream__`): valid bool, violations int32,
        kinds list<string>, findings string (JSON, as --format json writes them)."""

def is_path_reference(text: str) -> bool: ...

__version__: str
