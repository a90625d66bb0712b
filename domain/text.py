"""Text as people type it: the one rule for every name, reason, note and jurisdiction.

Text is normalised to Unicode NFC and trimmed. Characters nobody types are refused:
control characters (Cc), format characters (Cf: U+200B zero width space, U+200F
right-to-left mark, U+FEFF byte order mark, …) and the line and paragraph separators.
Multi-line text (a charter, a description, a note) takes line breaks and tabs too (CR LF
and CR become LF), and the zero width joiner of emoji sequences. Text that must say
something holds at least one character that shows: not a space, nor a filler that
shows nothing (U+3164 Hangul filler, a variation selector, …).

Jurisdictions are paths of such text (``domain.jurisdiction``).

The same rules are written as regular expressions (Python's syntax), which the API
publishes in its document so that a client can check text before sending it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

Ranges = tuple[tuple[int, int], ...]

REFUSED: Ranges = (
    (0x0000, 0x001F),
    (0x007F, 0x009F),
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
"""Categories Cc, Cf, Zl and Zp, as of Unicode 14 (Python 3.11); a test keeps it current."""
BLANK: Ranges = (
    (0x0020, 0x0020),
    (0x00A0, 0x00A0),
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x1680, 0x1680),
    (0x17B4, 0x17B5),
    (0x180B, 0x180D),
    (0x180F, 0x180F),
    (0x2000, 0x200A),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x2800, 0x2800),
    (0x3000, 0x3000),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)
"""Characters allowed in text that show nothing on their own: the spaces (Zs) and fillers."""
IN_LINES = "\t\n\r\u200d"
"""Refused characters that multi-line text takes: tab, line breaks, the zero width joiner."""


class TextRefused(ValueError):
    """Text that breaks the rules; the message says why, never what the text was."""


def _characters(ranges: Ranges) -> frozenset[str]:
    return frozenset(chr(c) for low, high in ranges for c in range(low, high + 1))


_REFUSED = _characters(REFUSED)
_REFUSED_IN_LINES = _REFUSED - frozenset(IN_LINES)
_HIDDEN = _REFUSED | _characters(BLANK)


def shows(text: str) -> bool:
    """Whether any character of the text shows."""
    return any(char not in _HIDDEN for char in text)


def refuse_untyped(text: str) -> None:
    """Refuses text holding a character nobody types (a line break or a tab included)."""
    _refuse_hidden(text, _REFUSED)


def _refuse_hidden(text: str, refused: frozenset[str]) -> None:
    if refused.isdisjoint(text):
        return
    char = next(c for c in text if c in refused)
    name = unicodedata.name(char, "a control character")
    raise TextRefused(f"must not hold U+{ord(char):04X} ({name}), a character nobody types")


def normalised(value: str, *, lines: bool = False, required: bool = True) -> str:
    """The text in NFC, trimmed; ``lines`` takes line breaks, ``required`` wants something shown."""
    text = unicodedata.normalize("NFC", value)
    _refuse_hidden(text, _REFUSED_IN_LINES if lines else _REFUSED)
    if lines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    if required and not shows(text):
        raise TextRefused("must not be blank")
    return text


# The same rules as regular expressions


def _escape(c: int) -> str:
    """As Python, Rust and ECMAScript read it alike: characters beyond the BMP as themselves."""
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" if c < 0x10000 else chr(c)


def _set(ranges: Iterable[tuple[int, int]]) -> str:
    """The body of a character class holding the ranges."""
    return "".join(_escape(low) if low == high else f"{_escape(low)}-{_escape(high)}" for low, high in ranges)


def _without(ranges: Ranges, chars: str) -> Ranges:
    out = []
    for low, high in ranges:
        start = low
        for c in sorted(ord(char) for char in chars if low <= ord(char) <= high):
            if start < c:
                out.append((start, c - 1))
            start = c + 1
        if start <= high:
            out.append((start, high))
    return tuple(out)


REFUSED_CLASS = _set(REFUSED)
"""The body of a character class holding the refused characters."""
HIDDEN_CLASS = _set(REFUSED) + _set(BLANK)
"""The body of a character class holding the characters that do not show."""
_LINE_SET = _set(_without(REFUSED, IN_LINES))


def text_pattern(*, lines: bool = False, required: bool = True) -> str:
    """What ``normalised`` takes (before trimming: only the characters count)."""
    allowed = f"[^{_LINE_SET if lines else REFUSED_CLASS}]"
    return f"^{allowed}*[^{HIDDEN_CLASS}]{allowed}*$" if required else f"^{allowed}*$"
