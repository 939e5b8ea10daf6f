"""Files that hold scored data: owner-only on creation, and inputs read from regular files only.

Collected requests and batch predictions are the users' data: whatever the umask, the files are
created 0600 and the folders this code creates 0700 (existing folders keep their mode: they are
the user's choice). Batch inputs are opened with O_NOFOLLOW and must be regular files, so a
symlink planted in an input folder cannot make a batch run copy another file's columns into a
predictions file, and a FIFO cannot hang it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
DIR_MODE = 0o700


class NotRegularFileError(OSError):
    """A path that is a symlink, a FIFO, a device or a folder where a regular file was expected."""


def private_dir(path: Path) -> Path:
    """Create `path` and its missing parents with mode 0700; existing folders keep their mode."""
    missing = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # created meanwhile by another process: fine
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode is masked by the umask
    return path


def open_private(path: Path, append: bool = True) -> IO[bytes]:
    """Open a binary file for unbuffered writing (appending, or truncated), created 0600."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    return os.fdopen(os.open(path, flags, FILE_MODE), "ab" if append else "wb", buffering=0)


def is_regular_file(path: Path) -> bool:
    """Whether `path` itself (not what a symlink points to) is a regular file."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file, never through a symlink; NotRegularFileError otherwise."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if path.is_symlink():
            raise NotRegularFileError(exc.errno, "a symbolic link, not a regular file") from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise NotRegularFileError(0, "not a regular file (a FIFO, device or folder)")
        return handle.read()
