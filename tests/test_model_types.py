"""The typed model checks types when an object is built, and `validate` of a broken object gives findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from woda_sharing import (
    Agreement,
    Flow,
    Frequency,
    Method,
    Party,
    Role,
    UsageError,
    structure,
    validate,
)
from woda_sharing._model import Duration, unchecked
from woda_sharing.testing import example_agreement, example_charter


def _agreement() -> Agreement:
    return structure(example_agreement(), Agreement)


def _flow(**changes: Any) -> Flow:
    fields: dict[str, Any] = {
        "id": "f",
        "source": "a",
        "recipient": "b",
        "items": ("x",),
        "purposes": ("p",),
        "bases": ("uk-gdpr-art-6-1-e",),
        "frequency": Frequency.DAILY,
        "method": Method.SFTP,
    }
    return Flow(**{**fields, **changes})


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(
            lambda: attrs.evolve(_agreement(), parties="county"),
            "Agreement.parties must be a tuple of Party, not str: 'county'",
            id="string-for-parties",
        ),
        pytest.param(
            lambda: attrs.evolve(_agreement(), parties=list(_agreement().parties)),
            "Agreement.parties must be a tuple of Party, not list",
            id="list-for-tuple",
        ),
        pytest.param(
            lambda: attrs.evolve(_agreement(), version=True),
            "Agreement.version must be int, not bool: True",
            id="bool-for-int",
        ),
        pytest.param(
            lambda: attrs.evolve(_agreement(), start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
            "Agreement.start must be date, not datetime",
            id="datetime-for-date",
        ),
        pytest.param(
            lambda: Party(id="p", organisation="o", role="controller"),
            "Party.role must be Role, not str: 'controller'",
            id="string-for-enum",
        ),
        pytest.param(
            lambda: Duration(amount=5, unit="weeks"),
            "Duration.unit must be one of 'hours', 'days', 'working-days', not str: 'weeks'",
            id="literal",
        ),
        pytest.param(
            lambda: _flow(instruction="do it"),
            "Flow.instruction must be Instruction or None, not str: 'do it'",
            id="optional",
        ),
        pytest.param(
            lambda: _flow(frequency="dayly"),
            "'dayly' is not a Frequency (one of 'one-off', 'ad-hoc', 'daily'",
            id="unknown-frequency",
        ),
        pytest.param(
            lambda: _flow(method=3),
            "3 is not a Method (one of 'secure-email', 'sftp'",
            id="wrong-method",
        ),
    ],
)
def test_a_wrong_type_fails_at_construction_naming_the_field(build: Any, message: str) -> None:
    with pytest.raises(UsageError) as info:
        build()
    assert str(info.value).startswith(message)
    assert isinstance(info.value, TypeError)  # what Python callers expect of a wrong type


def test_frequency_and_method_are_enums_that_read_as_their_wire_values() -> None:
    flow = _flow(frequency="weekly", method="secure-email")
    assert flow.frequency is Frequency.WEEKLY
    assert flow.method is Method.SECURE_EMAIL
    assert flow.frequency == "weekly"  # a StrEnum: comparisons with text keep working
    assert f"{flow.method}" == "secure-email"
    typed = _agreement().flows[0]
    assert isinstance(typed.frequency, Frequency)
    assert isinstance(typed.method, Method)


def test_well_typed_objects_and_structuring_are_unaffected() -> None:
    party = Party(id="p", organisation="o", role=Role.CONTROLLER)
    assert party.role is Role.CONTROLLER
    assert _agreement() == structure(example_agreement(), Agreement)


def test_validate_of_an_object_broken_around_its_checks_gives_findings_not_a_traceback() -> None:
    charter = example_charter()
    with unchecked():
        broken = attrs.evolve(_agreement(), parties="county")
    report = validate(broken, charter=charter)
    assert not report.ok
    assert {f.code for f in report.findings} <= {"WS010", "WS011"}
    other = _agreement()
    object.__setattr__(other, "flows", (object(),))
    report = validate(other, charter=charter)
    assert not report.ok
    (finding,) = report.findings
    assert finding.code == "WS011"
    assert "wrong type" in finding.message


def test_the_checks_come_back_after_structuring_even_when_it_fails_or_nests() -> None:
    with unchecked():
        with unchecked():
            Party(id="p", organisation="o", role="controller")  # not checked inside
        Party(id="p", organisation="o", role="controller")
    with pytest.raises(UsageError):
        Party(id="p", organisation="o", role="controller")
    with pytest.raises(ValueError, match="boom"), unchecked():
        raise ValueError("boom")
    with pytest.raises(UsageError):
        Party(id="p", organisation="o", role="controller")
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the codec raises for bad data
        structure({"id": "p"}, Party)
    with pytest.raises(UsageError):
        Party(id="p", organisation="o", role="controller")
