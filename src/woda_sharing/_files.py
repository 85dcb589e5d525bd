"""The one way woda_sharing writes a file (temporary file, flush, fsync, rename) and reads one.

Reading opens without blocking and refuses anything that is not a regular
file: a FIFO named on the command line (a shell glob picks one up) would
otherwise wait for a writer forever, and a device could stream without end.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from woda_sharing.exceptions import UsageError, WriteError

__all__ = ["atomic_write", "read_regular"]


def read_regular(path: str | os.PathLike[str], *, max_bytes: int) -> bytes:
    """Read at most ``max_bytes + 1`` bytes of the regular file *path*, never blocking to open it.

    Raises `OSError` when the file cannot be opened or read, or is not a
    regular file (a FIFO, a socket, a device or a folder), without waiting.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file (a FIFO, socket, device or folder)", str(path))
        os.set_blocking(fd, True)  # a regular file never blocks; read it plainly
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(max_bytes + 1)
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> None:
    """Replace *path* with *data* so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder (so the rename cannot
    cross file systems), which is flushed, synced, given *mode* and renamed over
    the target; the folder is then synced too where the platform allows it.
    On any failure, including an interruption such as `KeyboardInterrupt`, the
    temporary file is removed and the original is left untouched; an `OSError`
    becomes `WriteError`, anything else propagates as it is. Use
    ``mode=0o600`` for secrets: the temporary file is created owner-only, so
    the secret is never readable by others, not even for a moment.
    """
    if not isinstance(data, bytes):
        raise UsageError(f"atomic_write writes bytes, not {type(data).__name__}")
    target = Path(path)
    folder = target.parent
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        except OSError as e:
            raise WriteError(f"cannot write {target}: {e.strerror or e}") from e
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise WriteError(f"cannot write {target}: {e.strerror or e}") from e
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(mode)
        tmp.replace(target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(e, OSError):
            raise WriteError(f"cannot write {target}: {e.strerror or e}") from e
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; best effort (not every platform can open a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
