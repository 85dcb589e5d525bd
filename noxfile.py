"""Development tasks: ``nox`` runs lint, typecheck, tests and docs; ``nox -s bench`` measures."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["lint", "typecheck", "tests", "docs"]

ROOT = Path(__file__).parent
TEST_DEPS = [
    "pytest>=8",
    "pytest-cov>=5",
    "hypothesis>=6.100",
    "joserfc>=1.0",
    "jwcrypto>=1.5",
    # Rendering tests: a CommonMark renderer to read the Markdown as a reader's tool
    # would, and axe-core (shipped inside this package) to check accessibility in Chromium.
    "markdown-it-py>=3",
    "axe-playwright-python>=0.1.4",
]


def session(*, default: bool = True, **kwargs: object):  # type: ignore[no-untyped-def]
    """Declare a session; ``default=False`` keeps it out of a plain ``nox`` run."""

    def decorator(fn):  # type: ignore[no-untyped-def]
        return nox.session(default=default, **kwargs)(fn)

    return decorator


@session()
def tests(s: nox.Session) -> None:
    """Run the test suite against the installed wheel-like package, with branch coverage.

    The register's tests start a real PostgreSQL server of their own;
    ``tools/ensure_postgres.sh`` installs the server binaries first when missing.
    The rendering tests open pages in the system's headless Chromium and read PDFs
    with poppler: ``tools/ensure_browser.sh`` installs them from Debian when missing.
    """
    s.run("bash", str(ROOT / "tools" / "ensure_postgres.sh"), external=True)
    s.run("bash", str(ROOT / "tools" / "ensure_browser.sh"), external=True)
    s.install(".[register,render,serve,yaml]", *TEST_DEPS)
    s.run(
        "pytest",
        "--cov=woda_sharing",
        "--cov-report=term",
        "--cov-fail-under=90",
        *s.posargs,
        env={"HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "ci")},
    )


@session()
def lint(s: nox.Session) -> None:
    """Ruff lint and format check."""
    s.install("ruff>=0.6")
    s.run("ruff", "check", ".")
    s.run("ruff", "format", "--check", ".")


@session()
def typecheck(s: nox.Session) -> None:
    """mypy --strict over the library."""
    s.install(".[register,render,serve,yaml]", "mypy>=1.11", "types-jsonschema")
    s.run("mypy", "--strict", "src/woda_sharing")


@session()
def docs(s: nox.Session) -> None:
    """Build the docs in strict mode: a warning or a broken link fails the build.

    mkdocstrings renders the Python API reference from the docstrings (ruff lays
    out the signatures).
    """
    s.install(
        ".[register,render,serve,yaml]", "mkdocs>=1.6", "mkdocstrings[python]>=0.26", "ruff>=0.6"
    )
    s.run("python", "docs/_gen.py", "--check")
    s.run("mkdocs", "build", "--strict", "--site-dir", str(ROOT / "site"))


@session(default=False)
def build(s: nox.Session) -> None:
    """Build the wheel and check that it ships the schemas."""
    s.install("build")
    s.run("python", "-m", "build", "--wheel", "--outdir", "dist")
    s.run("python", "tools/check_wheel.py", "dist")


@session(default=False)
def bench(s: nox.Session) -> None:
    """Measure validation, verification, decisions, the register and rendering (see docs/explanation/performance.md)."""
    s.run("bash", str(ROOT / "tools" / "ensure_browser.sh"), external=True)
    s.install(".[register,render,serve,yaml]")
    s.run("python", "-m", "benchmarks", *s.posargs)


@session(default=False)
def fuzz(s: nox.Session) -> None:
    """Coverage-guided fuzzing of the loader for a bounded time (FUZZ_SECONDS, default 60)."""
    s.install(".", "atheris>=2.3")
    seconds = os.environ.get("FUZZ_SECONDS", "60")
    # libFuzzer writes new inputs into the first folder: keep the seeds in fuzz/corpus clean.
    (ROOT / "fuzz-corpus").mkdir(exist_ok=True)
    s.run(
        "python", "fuzz/fuzz_loader.py", f"-max_total_time={seconds}", "fuzz-corpus", "fuzz/corpus"
    )
