r"""Where a reader's text comes from: a file named by a path, or an open text stream.

Every reader (scenario YAML, ``.nfg``, ``.efg``) takes either, as pandas readers do, and refuses
more than :data:`MAX_FILE_BYTES` from both, before parsing anything.

Examples
--------
>>> import io
>>> read_source(io.StringIO("kurilsim: 1\n"), "path")
('kurilsim: 1\n', '<stream>')
"""

from __future__ import annotations

import os
import stat

from kurilsim.core.arguments import check_path, shown
from kurilsim.core.errors import ArgumentTypeError, InputError

#: Largest input any reader accepts, in bytes.
MAX_FILE_BYTES = 2_000_000


def read_source(source: object, name: str) -> tuple[str, str]:
    """The text of a UTF-8 file or of an open text stream, and what to call it in messages.

    A file is read as bytes and decoded, so that its line breaks are kept exactly (a leading
    byte-order mark is dropped); a stream is read as it gives its text.

    Parameters
    ----------
    source
        A path (``str`` or ``os.PathLike``) or an open text stream (anything with ``read()``
        returning ``str``, e.g. ``io.StringIO`` or a file opened in text mode).
    name
        The argument's name, for the message when ``source`` is neither.

    Returns
    -------
    text, label
        The contents, and the file name (the stream's ``name``, or ``"<stream>"``).

    Raises
    ------
    ArgumentTypeError
        If ``source`` is neither a path nor a text stream (a binary stream included).
    InputError
        If the file cannot be read, is not a regular file (a FIFO or a device such as
        ``/dev/zero``), is not UTF-8, or either holds more than :data:`MAX_FILE_BYTES` bytes.
    """
    if hasattr(source, "read") and not isinstance(source, str | os.PathLike):
        label = getattr(source, "name", None)
        label = label if isinstance(label, str) else "<stream>"
        text = source.read(MAX_FILE_BYTES + 1)
        if not isinstance(text, str):
            raise ArgumentTypeError(
                f"expected a path or a text stream, got a stream of {type(text).__name__}; "
                "open the file in text mode",
                field=name,
            )
        if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
            raise InputError(f"input is larger than {MAX_FILE_BYTES} bytes", file=label)
        return text, label
    if not isinstance(source, str | os.PathLike):
        raise ArgumentTypeError(
            f"expected a path (str or os.PathLike) or an open text stream, got {shown(source)}",
            field=name,
        )
    label = check_path(name, source)
    try:
        # Opened without blocking, so that a FIFO with no writer cannot hang the reader; the
        # stat of the open file then refuses FIFOs, devices and sockets, which either never end
        # (/dev/zero reports a size of 0) or would be read as they are written.
        fd = os.open(label, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as stream:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError
            if not stat.S_ISREG(mode):
                raise InputError("cannot read the file: it is not a regular file", file=label)
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError("cannot read the file: no such file", file=label) from None
    except IsADirectoryError:
        raise InputError("cannot read the file: it is a directory", file=label) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=label) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"file is larger than {MAX_FILE_BYTES} bytes", file=label)
    try:
        # "utf-8-sig" also accepts the byte-order mark some editors put first.
        return data.decode("utf-8-sig"), label
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text: the byte {data[exc.start]:#04x} cannot be decoded",
            file=label,
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None
