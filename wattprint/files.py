"""Safe file handling for every command: inputs checked before opening, outputs written atomically.

Two rules hold for every file the CLI reads or writes:

- an input must be a readable regular file (a FIFO, a device or a folder is refused before it is
  opened, so nothing hangs waiting on it);
- an output is written to a temporary file in the same folder and renamed into place only when it
  is complete, and it may never be one of the inputs (same inode), so no input is ever destroyed.

Every refusal and every OS error is a one-line :class:`~wattprint.errors.InputError` (exit code 2).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from wattprint.errors import InputError


def os_error_text(error: OSError) -> str:
    """The reason of an OS error in words ("No space left on device"), without a traceback."""
    return error.strerror or type(error).__name__


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def input_file(path: str | os.PathLike[str], what: str = "input") -> Path:
    """``path`` as a readable regular file, else a one-line :class:`InputError`."""
    target = Path(path)
    try:
        info = target.stat()
    except FileNotFoundError:
        raise InputError(f"{what} {str(target)!r} does not exist") from None
    except OSError as error:
        raise InputError(f"{what} {str(target)!r} cannot be read: {os_error_text(error)}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{what} {str(target)!r} is {_kind(info.st_mode)}; give a regular file")
    if not os.access(target, os.R_OK):
        raise InputError(f"{what} {str(target)!r} cannot be read: permission denied")
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output_path(
    path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = (), what: str = "output"
) -> Path:
    """``path`` as a file that may be (re)written, else a one-line :class:`InputError`.

    Refused: a missing or unwritable folder, an existing folder, FIFO or device, and any path that
    resolves to one of ``inputs`` (the same inode, hard links and symbolic links included).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{what} folder {str(folder)!r} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{what} folder {str(folder)!r} is not writable")
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise InputError(f"{what} {str(target)!r} cannot be written: {os_error_text(error)}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise InputError(f"{what} {str(target)!r} is {_kind(info.st_mode)}; give a file name")
    for source in inputs:
        if info is not None and _same_file(target, Path(source)):
            raise InputError(
                f"{what} {str(target)!r} is the input {str(source)!r}; writing it would destroy the input, "
                "give another file name"
            )
    return target


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = (), what: str = "output"
) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    On any exception the temporary file is removed and ``path`` is left as it was. OS errors
    (a full disk, a permission change) become one-line :class:`InputError`.
    """
    target = check_output_path(path, inputs, what)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
    except OSError as error:
        raise InputError(f"{what} {str(target)!r} cannot be written: {os_error_text(error)}") from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InputError(f"{what} {str(target)!r} cannot be written: {os_error_text(error)}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024
"""Largest content of any file the program reads [bytes], after gzip decompression (64 MiB):
a small compressed file that unpacks to gigabytes (a "gzip bomb") is refused, not read."""


def read_limited(
    path: str | os.PathLike[str], what: str = "input", limit: int = MAX_DECOMPRESSED_BYTES
) -> bytes:
    """The bytes of a regular file, gunzipped when it starts with the gzip magic, at most ``limit``.

    Every refusal is one line (:class:`InputError`): not a regular file, larger than ``limit``
    on disk or once decompressed (read in steps, never more than ``limit`` + 1 bytes held), or a
    corrupt gzip stream (bad header, bad data, truncated).
    """
    target = input_file(path, what)
    mib = limit // 2**20
    try:
        if target.stat().st_size > limit:
            raise InputError(f"{what} {str(target)!r} is larger than {mib} MiB")
        with target.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise InputError(f"{what} {str(target)!r} cannot be read: {os_error_text(error)}") from None
    if len(raw) > limit:
        raise InputError(f"{what} {str(target)!r} is larger than {mib} MiB")
    return gunzip_limited(raw, f"{what} {str(target)!r}", limit)


def gunzip_limited(raw: bytes, name: str, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """``raw`` itself, or its gzip content when it starts with the gzip magic, at most ``limit``
    bytes; a one-line :class:`InputError` for a corrupt stream or content over ``limit``."""
    import gzip
    import io
    import zlib

    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
            content = unzipped.read(limit + 1)
    except (OSError, EOFError, zlib.error) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputError(f"{name} is not a readable gzip file ({reason})") from None
    if len(content) > limit:
        raise InputError(f"{name} unzips to more than {limit // 2**20} MiB")
    return content
