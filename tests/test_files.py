"""Atomic writes: an interrupted or failed write leaves the original file exactly as it was."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from woda_sharing import _files
from woda_sharing._files import atomic_write
from woda_sharing.exceptions import UsageError, WodaError, WriteError

ORIGINAL = b'{"kind": "agreement", "original": true}\n'
posix_only = pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "agreement.json"
    path.write_bytes(ORIGINAL)
    return path


def _fail_with(error: BaseException) -> Callable[..., None]:
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    return fail


def test_writes_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    atomic_write(path, b"{}")
    assert path.read_bytes() == b"{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.json"]


def test_replaces_an_existing_file(target: Path) -> None:
    atomic_write(str(target), b"new")
    assert target.read_bytes() == b"new"
    assert list(target.parent.iterdir()) == [target]


FAILURES = [
    ("write", "write"),
    ("fsync", "fsync"),
    ("chmod", "chmod"),
    ("rename", "replace"),
]


@pytest.mark.parametrize("step", [f[1] for f in FAILURES], ids=[f[0] for f in FAILURES])
@pytest.mark.parametrize(
    "error",
    [OSError(28, "No space left on device"), KeyboardInterrupt()],
    ids=["oserror", "interrupt"],
)
def test_a_write_killed_midway_leaves_the_original_and_no_temporary_file(
    target: Path, monkeypatch: pytest.MonkeyPatch, step: str, error: BaseException
) -> None:
    if step == "write":
        real_fdopen = os.fdopen

        def fdopen(fd: int, *args: object, **kwargs: object) -> object:
            handle = real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]

            class Half:
                def __enter__(self) -> Half:
                    return self

                def __exit__(self, *exc: object) -> None:
                    handle.close()

                def write(self, data: bytes) -> None:
                    handle.write(data[: len(data) // 2])  # half the bytes reach the disk
                    handle.flush()
                    raise error

            return Half()

        monkeypatch.setattr(_files.os, "fdopen", fdopen)
    elif step == "fsync":
        monkeypatch.setattr(_files.os, "fsync", _fail_with(error))
    else:
        monkeypatch.setattr(Path, step, _fail_with(error))

    expected = WriteError if isinstance(error, OSError) else type(error)
    with pytest.raises(expected) as caught:
        atomic_write(target, b'{"kind": "agreement", "replacement": true}\n' * 100)
    monkeypatch.undo()
    assert target.read_bytes() == ORIGINAL
    assert list(target.parent.iterdir()) == [target]
    if isinstance(error, OSError):
        assert str(target) in str(caught.value)
        assert "No space left on device" in str(caught.value)
        assert caught.value.__cause__ is error


def test_a_missing_folder_is_a_write_error(tmp_path: Path) -> None:
    with pytest.raises(WriteError) as caught:
        atomic_write(tmp_path / "missing" / "file.json", b"{}")
    assert isinstance(caught.value, WodaError)
    assert isinstance(caught.value, OSError)


def test_only_bytes_are_written(target: Path) -> None:
    with pytest.raises(UsageError):
        atomic_write(target, "text")  # type: ignore[arg-type]
    assert target.read_bytes() == ORIGINAL


def test_a_folder_that_cannot_be_synced_does_not_fail_the_write(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def open_(path: str, flags: int, *args: int) -> int:
        if Path(path).is_dir():  # as on platforms where a folder cannot be opened
            raise OSError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(_files.os, "open", open_)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"


@posix_only
@pytest.mark.parametrize("existing_mode", [None, 0o644, 0o666], ids=["new", "0644", "0666"])
def test_secrets_are_owner_only_from_first_byte_to_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing_mode: int | None
) -> None:
    path = tmp_path / "key.pem"
    if existing_mode is not None:
        path.write_bytes(b"old")
        path.chmod(existing_mode)
    seen: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        # While the secret sits in the temporary file, nobody but the owner may read it.
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(_files.os, "fsync", fsync)
    atomic_write(path, b"-----BEGIN PRIVATE KEY-----", mode=0o600)
    assert seen
    assert seen[0] == 0o600
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == b"-----BEGIN PRIVATE KEY-----"


@posix_only
def test_public_files_get_the_mode_asked_for(target: Path) -> None:
    atomic_write(target, b"{}", mode=0o644)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_rewriting_a_file_keeps_its_permissions(tmp_path: Path) -> None:
    """Rewriting a private document must not make it readable by others."""
    target = tmp_path / "agreement.json"
    target.write_bytes(b"old")
    target.chmod(0o600)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh.json"
    atomic_write(fresh, b"x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
