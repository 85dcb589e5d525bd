from __future__ import annotations

from typing import Any

from tests.rules._support import Case, Doc, Mutation, W, check, parametrize


def _set(*, notice: int | None = None, **values: Any) -> Mutation:
    """Set agreement members, and the charter's notice period when given."""

    def mutate(c: Doc, a: Doc) -> None:
        a.update(values)
        if notice is not None:
            c["notice_days"] = notice

    return mutate


# EXAMPLE_TODAY is 2024-06-01; 90 days on is 2024-08-30.
CASES = [
    Case(id="far-off", code="WS319"),
    Case(
        id="on-the-last-day",
        code="WS319",
        mutate=_set(review="2024-08-30"),
        expected=((W, "/review"),),
    ),
    Case(id="one-day-beyond", code="WS319", mutate=_set(review="2024-08-31")),
    Case(
        id="today",
        code="WS319",
        mutate=_set(review="2024-06-01"),
        expected=((W, "/review"),),
        message="in 0 days",
    ),
    Case(
        id="past-is-ws303",
        code="WS319",
        mutate=_set(review="2024-05-31"),
        also=frozenset({"WS303"}),
    ),
    Case(
        id="charter-notice",
        code="WS319",
        mutate=_set(review="2024-07-01", notice=30),
        expected=((W, "/review"),),
        message="in 30 days",
    ),
    Case(id="beyond-charter-notice", code="WS319", mutate=_set(review="2024-07-02", notice=30)),
    Case(
        id="default-without-charter",
        code="WS319",
        mutate=_set(review="2024-08-30", notice=10),
        with_charter=False,
        expected=((W, "/review"),),
    ),
    Case(id="no-end", code="WS320"),
    Case(id="end-far-off", code="WS320", mutate=_set(end="2024-12-31")),
    Case(id="ends-soon", code="WS320", mutate=_set(end="2024-07-15"), expected=((W, "/end"),)),
    Case(id="ended-is-ws306", code="WS320", mutate=_set(end="2024-05-31")),
    Case(id="beyond-charter-notice", code="WS320", mutate=_set(end="2024-06-09", notice=7)),
    Case(
        id="within-charter-notice",
        code="WS320",
        mutate=_set(end="2024-06-08", notice=7),
        expected=((W, "/end"),),
        message="in 7 days",
    ),
]


@parametrize(CASES)
def test_notice(case: Case) -> None:
    check(case)
