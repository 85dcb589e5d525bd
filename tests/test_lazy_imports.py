"""Start-up stays quick: importing the package loads no heavy library, validating no cryptography.

Each check runs in a fresh interpreter (a module already imported by another test
would hide a regression) and lists the modules that got imported (issue 16).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "cryptography",
    "jsonschema",
    "jsonschema_rs",
    "referencing",
    "cattrs",
    "rfc8785",
    "starlette",
    "uvicorn",
    "sqlalchemy",
)
#: The decision service's web stack (the ``serve`` extra).
WEB = ("starlette", "uvicorn", "anyio", "sqlalchemy")


def _loaded(code: str) -> set[str]:
    """The top-level packages imported after running *code* in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    ("code", "absent"),
    [
        pytest.param("import woda_sharing", HEAVY, id="import-package"),
        pytest.param(
            "import woda_sharing; woda_sharing.validate", ("cryptography",), id="validate-no-crypto"
        ),
        pytest.param(
            "from woda_sharing.service import ServiceConfig, load_config", WEB, id="service-config"
        ),
        pytest.param(
            "import woda_sharing; woda_sharing.Policy", ("cryptography",), id="policy-no-crypto"
        ),
        pytest.param(
            "from woda_sharing.testing import example_agreement, example_charter\n"
            "from woda_sharing import validate\n"
            "import datetime as dt\n"
            "report = validate(example_agreement(), charter=example_charter(), today=dt.date(2024, 6, 1))\n"
            "assert report.ok, report.findings",
            ("cryptography",),
            id="validation-needs-no-cryptography",
        ),
    ],
)
def test_start_up_loads_only_what_it_needs(code: str, absent: tuple[str, ...]) -> None:
    assert _loaded(code).isdisjoint(absent), _loaded(code) & set(absent)


def test_every_public_name_resolves_lazily() -> None:
    import woda_sharing

    assert set(woda_sharing._MODULE_OF) == set(woda_sharing.__all__)
    for name in woda_sharing.__all__:
        assert getattr(woda_sharing, name) is not None
    assert set(woda_sharing.__all__) <= set(dir(woda_sharing))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        woda_sharing.nothing_here  # noqa: B018 - the lookup is the test


@pytest.mark.parametrize(
    ("code", "absent"),
    [
        pytest.param(
            "from woda_sharing.cli import build_parser; build_parser()",
            (*HEAVY, "sqlalchemy", "jinja2", "playwright"),
            id="cli-parser",
        ),
        pytest.param(
            "from woda_sharing.testing import example_agreement, example_charter\n"
            "from woda_sharing import validate\n"
            "import datetime as dt\n"
            "report = validate(example_agreement(), charter=example_charter(), today=dt.date(2024, 6, 1))\n"
            "assert report.ok, report.findings",
            ("jsonschema", "referencing"),
            id="valid-document-needs-no-jsonschema",
        ),
    ],
)
def test_the_command_line_and_the_valid_path_load_only_what_they_need(
    code: str, absent: tuple[str, ...]
) -> None:
    assert _loaded(code).isdisjoint(absent), _loaded(code) & set(absent)


def test_an_invalid_document_still_loads_jsonschema_to_explain() -> None:
    loaded = _loaded(
        "from woda_sharing.testing import example_agreement\n"
        "from woda_sharing import validate\n"
        "a = example_agreement(); a['flows'][0]['method'] = 'carrier-pigeon'\n"
        "assert [f.code for f in validate(a).findings] == ['WS010']"
    )
    assert "jsonschema" in loaded


def test_the_command_lines_own_choices_are_the_librarys() -> None:
    """The parser names choices without importing the library; they must stay the library's."""
    from woda_sharing._keys import ALGORITHMS, DEFAULT_ALGORITHM
    from woda_sharing.cli._endorse import ALGORITHM_NAMES
    from woda_sharing.cli._register import KIND_CHOICES, STATE_CHOICES
    from woda_sharing.register import KINDS, State

    assert tuple(ALGORITHMS) == ALGORITHM_NAMES
    assert ALGORITHM_NAMES[0] == DEFAULT_ALGORITHM
    assert tuple(KINDS) == KIND_CHOICES
    assert tuple(s.value for s in State) == STATE_CHOICES
