"""Reading a user's text file (a config, a core table): UTF-8, with one-line errors otherwise.

Examples
--------
>>> from seabed.errors import InputDataError
>>> decode_text("ok\\n".encode("utf-8-sig"), "cores.csv", error=InputDataError, fix="fix: re-save as UTF-8")
'ok\\n'
"""

from __future__ import annotations

from seabed.errors import SeabedError

__all__ = ["decode_text"]


def decode_text(raw: bytes, name: str, *, error: type[SeabedError], fix: str) -> str:
    """The text of ``raw``: UTF-8 with or without a byte-order mark.

    Parameters
    ----------
    raw : bytes
        The file's content.
    name : str
        The file as the message names it.
    error : type of SeabedError
        Raised for UTF-16 text, a spreadsheet or archive, or bytes that are not UTF-8.
    fix : str
        The fix the message ends with (``"fix: ..."``).
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and raw[1:2] == b"\x00"):
        raise error(f"{name}: the file is UTF-16 text; expected UTF-8 text; {fix}")
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise error(f"{name}: the file is a spreadsheet workbook (Excel) or an archive, not text; "
                    f"expected UTF-8 text; {fix}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(f"{name}: line {line}: byte 0x{raw[exc.start]:02x} is not valid UTF-8 (a Latin-1 or "
                    f"Windows-1252 file?); expected encoding UTF-8; {fix}") from None
