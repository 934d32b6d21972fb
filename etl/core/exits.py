"""Exit statuses of the command lines (python -m etl, python -m dashboard.export) for failures of
the machine rather than of the data: a full disk, a read-only or forbidden folder, an I/O error,
a reader that went away. Each gets a plain message and its own status (from BSD's sysexits.h),
never "unexpected ... report it".

    0    done
    1    failed (bad source data, a failed download or export; the message says which)
    3    published, but without the sources listed as failed (`etl refresh --keep-going`)
    2    bad argument or setting
    73   cannot create or write a file: disk full, quota, a file where a folder should be
    74   other input/output error
    77   permission denied, or a read-only file system
    141  the reader of the output went away (`... | head -1`): stop quietly, like a tool
         killed by SIGPIPE (128 + 13)
"""
from __future__ import annotations

import errno
import os
import re
import sys

OK, FAILED, USAGE, PARTIAL = 0, 1, 2, 3
CANT_CREATE, IO_ERROR, NO_PERMISSION = 73, 74, 77
BROKEN_PIPE = 128 + 13

_FULL = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "the disk quota is exceeded",
         errno.EFBIG: "the file is too large for the file system"}
_CANT_CREATE = {errno.ENOTDIR: "a file stands where a folder is expected", errno.EISDIR: "a folder stands where a file is expected",
                errno.EEXIST: "a file stands where a folder is expected", errno.ENAMETOOLONG: "the name is too long",
                errno.ELOOP: "too many symbolic links"}
_DENIED = {errno.EACCES: "permission denied", errno.EPERM: "operation not permitted",
           errno.EROFS: "the file system is read-only"}


def os_error(exc: BaseException) -> OSError | None:
    """The OSError behind `exc` (itself, or its cause or context), if any."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def errno_of(error: OSError) -> int | None:
    if error.errno is not None:
        return error.errno
    found = re.search(r"\[errno (\d+)\]", str(error), re.IGNORECASE)  # pyarrow puts it in the text
    return int(found.group(1)) if found else None


def classify(exc: BaseException) -> tuple[int, str] | None:
    """(exit status, plain message) for a failure of the machine, else None (a bug, or bad data)."""
    error = os_error(exc)
    if error is None:
        return None
    if isinstance(error, BrokenPipeError):
        return BROKEN_PIPE, ""
    code = errno_of(error)
    where = error.filename or ""
    what = f"{where}: " if where else ""
    if code in _FULL:
        return CANT_CREATE, f"cannot write {what}{_FULL[code]}. Free some space (or raise the quota) and run again."
    if code in _CANT_CREATE:
        return CANT_CREATE, f"cannot create {what}{_CANT_CREATE[code]}. Check the path and run again."
    if code in _DENIED:
        return NO_PERMISSION, (f"cannot write or read {what}{_DENIED[code]}. Use a folder this user may write "
                               "(or run as a user who may) and run again.")
    reason = error.strerror or str(error)
    return IO_ERROR, f"input/output error on {what}{reason}. Check the disk and the path, then run again."


def quiet_broken_pipe() -> int:
    """The reader of stdout went away: point stdout at /dev/null so that Python's final flush
    does not complain, and return the status of a tool killed by SIGPIPE."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return BROKEN_PIPE
