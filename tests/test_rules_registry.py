from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import EXAMPLE_TODAY
from woda_sharing.exceptions import RuleError
from woda_sharing.findings import Severity, pointer
from woda_sharing.rules import Context, Hit, Rule, Rules, builtin_rules
from woda_sharing.validation import validate


def _noop(ctx: Context) -> Iterator[Hit]:
    """Does nothing."""
    return iter(())


def _undocumented(ctx: Context) -> Iterator[Hit]:
    return iter(())


@pytest.mark.parametrize(
    ("code", "function", "message"),
    [
        ("ws101", _noop, "capitals"),
        ("WS1", _noop, "capitals"),
        ("WS101", _noop, "already registered"),
        ("ACME001", _undocumented, "docstring"),
    ],
    ids=["lower-case", "short", "duplicate", "undocumented"],
)
def test_malformed_rules_are_refused(code: str, function: Any, message: str) -> None:
    rules = builtin_rules().copy()
    with pytest.raises(RuleError, match=message):
        rules.register(
            Rule(
                code=code,
                title="t",
                severity=Severity.ERROR,
                applies_to="agreement",
                function=function,
            )
        )


def test_builtin_codes_are_unique_documented_and_sorted() -> None:
    rules = list(builtin_rules())
    codes = [r.code for r in rules]
    assert codes == sorted(set(codes))
    assert len(rules) >= 20
    assert all(r.doc and r.title for r in rules)


def test_a_custom_rule_runs_in_a_copy_without_touching_the_builtin_table(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    rules = builtin_rules().copy()

    @rules.rule("ACME001", title="Flows must use SFTP", severity=Severity.WARNING)
    def sftp_only(ctx: Context) -> Iterator[Hit]:
        """Our partnership moves files by SFTP only."""
        assert ctx.agreement is not None
        for i, flow in enumerate(ctx.agreement.flows):
            if flow.method != "sftp":
                yield Hit(path=pointer("flows", i, "method"), message="not SFTP", hint="use SFTP")

    report = validate(agreement, charter=charter, today=EXAMPLE_TODAY, rules=rules)
    assert [(f.code, f.severity, f.path, f.hint) for f in report.findings] == [
        ("ACME001", Severity.WARNING, "/flows/0/method", "use SFTP")
    ]
    assert "ACME001" in rules
    assert "ACME001" not in builtin_rules()
    assert rules.get("ACME001") is not None
    assert validate(agreement, charter=charter, today=EXAMPLE_TODAY).ok


def test_hits_may_override_the_rule_severity(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    rules = Rules()

    @rules.rule("ACME002", title="Everything is noted", severity=Severity.ERROR)
    def note(ctx: Context) -> Iterator[Hit]:
        """Notes the document."""
        yield Hit(path="", message="noted", severity=Severity.INFO)

    report = validate(agreement, charter=charter, today=EXAMPLE_TODAY, rules=rules)
    assert report.ok
    assert [f.severity for f in report.findings] == [Severity.INFO]
    assert len(rules) == 1
