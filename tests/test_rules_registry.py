from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import EXAMPLE_TODAY
from woda_sharing import _codec as codec
from woda_sharing._findings import Severity, pointer
from woda_sharing._model import Agreement, Charter
from woda_sharing._validation import validate
from woda_sharing.exceptions import RuleError
from woda_sharing.rules import (
    AgreementContext,
    AgreementWithCharterContext,
    CharterContext,
    Context,
    Hit,
    Rule,
    Rules,
    builtin_catalogue,
    builtin_rules,
)


def _noop(ctx: AgreementContext) -> Iterator[Hit]:
    """Does nothing."""
    return iter(())


def _undocumented(ctx: AgreementContext) -> Iterator[Hit]:
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
    def sftp_only(ctx: AgreementContext) -> Iterator[Hit]:
        """Our partnership moves files by SFTP only."""
        for i, flow in enumerate(ctx.agreement.flows):
            if flow.method != "sftp":
                yield Hit(
                    pointer=pointer("flows", i, "method"), message="not SFTP", hint="use SFTP"
                )

    report = validate(agreement, charter=charter, today=EXAMPLE_TODAY, rules=rules)
    assert [(f.code, f.severity, f.pointer, f.hint) for f in report.findings] == [
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
    def note(ctx: AgreementContext) -> Iterator[Hit]:
        """Notes the document."""
        yield Hit(pointer="", message="noted", severity=Severity.INFO)

    report = validate(agreement, charter=charter, today=EXAMPLE_TODAY, rules=rules)
    assert report.ok
    assert [f.severity for f in report.findings] == [Severity.INFO]
    assert len(rules) == 1


def _charter_members(ctx: CharterContext) -> Iterator[Hit]:
    """Notes how many members the charter has."""
    yield Hit(pointer=pointer("members"), message=f"{len(ctx.members)} members")


def _agreement_parties(ctx: AgreementContext) -> Iterator[Hit]:
    """Notes how many parties the agreement has."""
    yield Hit(pointer=pointer("parties"), message=f"{len(ctx.parties)} parties")


def _charter_of_agreement(ctx: AgreementWithCharterContext) -> Iterator[Hit]:
    """Notes the charter the agreement sits under."""
    yield Hit(pointer=pointer("charter"), message=f"under {ctx.charter.id}")


def _any_context(ctx: Context) -> Iterator[Hit]:
    """Notes the kind of context it was given (a rule written for both kinds)."""
    yield Hit(pointer="", message=type(ctx).__name__)


def _unannotated(ctx):  # type: ignore[no-untyped-def]
    """Notes the document id, whatever the kind."""
    document = ctx.charter if isinstance(ctx, CharterContext) else ctx.agreement
    yield Hit(pointer=pointer("id"), message=document.id)


def _table() -> Rules:
    rules = Rules()
    rules.rule("ACME601", title="Charter", severity=Severity.INFO, applies_to="charter")(
        _charter_members
    )
    rules.rule("ACME101", title="Agreement", severity=Severity.INFO)(_agreement_parties)
    rules.rule("ACME102", title="With charter", severity=Severity.INFO, needs_charter=True)(
        _charter_of_agreement
    )
    rules.rule("ACME103", title="Either (agreement)", severity=Severity.INFO)(_any_context)
    rules.rule("ACME602", title="Either (charter)", severity=Severity.INFO, applies_to="charter")(
        _any_context
    )
    rules.register(
        Rule(
            code="ACME104",
            title="Untyped",
            severity=Severity.INFO,
            applies_to="agreement",
            function=_unannotated,
        )
    )
    return rules


def test_custom_rules_of_each_kind_get_the_context_for_their_kind(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    rules = _table()
    on_charter = validate(charter, today=EXAMPLE_TODAY, rules=rules)
    assert sorted((f.code, f.message) for f in on_charter.findings) == [
        ("ACME601", f"{len(charter['members'])} members"),
        ("ACME602", "CharterContext"),
    ]
    with_charter = validate(agreement, charter=charter, today=EXAMPLE_TODAY, rules=rules)
    assert sorted((f.code, f.message) for f in with_charter.findings) == [
        ("ACME101", f"{len(agreement['parties'])} parties"),
        ("ACME102", f"under {charter['id']}"),
        ("ACME103", "AgreementWithCharterContext"),
        ("ACME104", agreement["id"]),
    ]
    alone = validate(agreement, today=EXAMPLE_TODAY, rules=rules)  # needs_charter rules skip
    assert sorted(f.code for f in alone.findings if f.code.startswith("ACME")) == [
        "ACME101",
        "ACME103",
        "ACME104",
    ]
    assert [f.message for f in alone.findings if f.code == "ACME103"] == ["AgreementContext"]


def test_the_table_runs_a_typed_document_and_builds_one_context_per_kind(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    rules, typed_charter = _table(), codec.structure(charter, Charter)
    typed_agreement = codec.structure(agreement, Agreement)
    common = {"catalogue": builtin_catalogue(), "today": EXAMPLE_TODAY}
    assert [f.code for f in rules.run(typed_charter, **common)] == ["ACME601", "ACME602"]
    assert [f.code for f in rules.run(typed_agreement, **common)] == [
        "ACME101",
        "ACME103",
        "ACME104",
    ]
    assert "ACME102" in [
        f.code for f in rules.run(typed_agreement, charter=typed_charter, **common)
    ]


def _annotated(annotation: object) -> Any:
    def function(ctx: Any) -> Iterator[Hit]:
        """Does nothing."""
        return iter(())

    function.__annotations__["ctx"] = annotation
    return function


@pytest.mark.parametrize(
    ("function", "applies_to", "needs_charter", "message"),
    [
        (
            _charter_members,
            "agreement",
            False,
            "agreement documents and is given an AgreementContext",
        ),
        (_agreement_parties, "charter", False, "takes an AgreementContext"),
        (_charter_of_agreement, "agreement", False, "takes an AgreementWithCharterContext"),
        (_charter_of_agreement, "charter", False, "given a CharterContext"),
        (
            _annotated(CharterContext),
            "agreement",
            True,
            r"agreement \(with its charter\) documents",
        ),
        (_annotated("woda_sharing.CharterContext"), "agreement", False, "takes a CharterContext"),
    ],
    ids=[
        "charter-rule-as-agreement",
        "agreement-rule-as-charter",
        "with-charter-rule-without-needs-charter",
        "with-charter-rule-as-charter",
        "class-annotation",
        "dotted-string-annotation",
    ],
)
def test_a_rule_registered_for_the_wrong_kind_is_refused(
    function: Any, applies_to: Any, needs_charter: bool, message: str
) -> None:
    rules = Rules()
    with pytest.raises(RuleError, match=message):
        rules.register(
            Rule(
                code="ACME001",
                title="t",
                severity=Severity.ERROR,
                applies_to=applies_to,
                needs_charter=needs_charter,
                function=function,
            )
        )
    assert "ACME001" not in rules


@pytest.mark.parametrize(
    ("function", "applies_to", "needs_charter"),
    [
        (_agreement_parties, "agreement", True),
        (_annotated(AgreementWithCharterContext), "agreement", True),
        (_annotated(int), "agreement", False),
        (_annotated("Any"), "charter", False),
        (lambda: iter(()), "agreement", False),
        (min, "charter", False),
    ],
    ids=[
        "wider-context-with-charter",
        "class-annotation",
        "not-a-context",
        "any",
        "no-parameter",
        "no-signature",
    ],
)
def test_a_rule_whose_function_does_not_name_another_context_is_accepted(
    function: Any, applies_to: Any, needs_charter: bool
) -> None:
    if function.__doc__ is None:
        function.__doc__ = "Documented."
    rule = Rule(
        code="ACME001",
        title="t",
        severity=Severity.ERROR,
        applies_to=applies_to,
        needs_charter=needs_charter,
        function=function,
    )
    assert Rules([rule]).get("ACME001") is rule


def test_running_a_rule_on_the_wrong_context_raises(charter: dict[str, Any]) -> None:
    rule = builtin_rules().get("WS601")
    assert rule is not None
    typed = codec.structure(charter, Charter)
    ctx = AgreementContext(
        agreement=codec.structure(_agreement_of(charter), Agreement),
        catalogue=builtin_catalogue(),
        today=EXAMPLE_TODAY,
    )
    assert not rule.applies(ctx)
    with pytest.raises(RuleError, match="WS601 takes a CharterContext, not an AgreementContext"):
        list(rule.run(ctx))
    charter_ctx = CharterContext(charter=typed, catalogue=builtin_catalogue(), today=EXAMPLE_TODAY)
    assert rule.applies(charter_ctx)
    assert list(rule.run(charter_ctx)) == []


def _agreement_of(charter: dict[str, Any]) -> dict[str, Any]:
    from woda_sharing.testing import example_agreement

    return example_agreement(charter)
