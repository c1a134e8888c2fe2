"""handoff: integration contracts checked against captured payloads.

    >>> import handoff
    >>> c = handoff.Contract.load("storefront-order-to-erp@^2", contracts="contracts")
    >>> c.id, c.version
    ('storefront-order-to-erp', '2.0.0')
    >>> [(f.kind, f.pointer) for f in c.check(b'{"order_id": 1}')][-1]
    ('wrong_type', '/order_id')

A contract is loaded and compiled once; `check` checks one payload, `check_many` many on every
core with the GIL released. Findings follow the contract's redaction policy (`sensitive` by
default: values of fields the contract marks sensitive are hidden; card numbers are always
masked), as `handoff check` reports them. A contract that does not load raises ContractError
with the diagnostics `handoff lint` prints. See docs/python.md.
"""

from ._handoff import Contract, ContractError, Finding, __version__

__all__ = ["Contract", "ContractError", "Finding", "__version__"]
