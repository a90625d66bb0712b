"""Jurisdictions: where an organisation is, as a path province first, and the prefixes
that contain it. The one rule for every check, whether in Python or (in the view
store) in SQL.

A jurisdiction is a path of at most eight segments joined by ``/``
(``浙江省/嘉兴市/桐乡市/龙翔街道/皂林村``), in Unicode NFC; each segment begins and
ends with a character that shows, holds nothing ``domain.text`` refuses, and is
neither ``.`` nor ``..``. Only ``/`` separates: a full-width ``／`` is part of its
segment.

A prefix is a jurisdiction or the start of one. A path lies under a prefix when its
segments begin with the prefix's, whole: ``a/b`` covers ``a/b`` and ``a/b/c`` but not
``a/bc``. Slashes around a prefix mean nothing, and the empty prefix covers every path.
"""

from __future__ import annotations

import unicodedata

from domain.text import HIDDEN_CLASS, REFUSED_CLASS, TextRefused, refuse_untyped, shows

SEPARATOR = "/"
MAX_SEGMENTS = 8


def segments(path: str | None) -> list[str]:
    """``a/b/c`` → ``["a", "b", "c"]``; no segments for an empty or unknown path."""
    return path.split(SEPARATOR) if path else []


def bare(prefix: str) -> str:
    """A prefix without the slashes around it, as paths are written."""
    return prefix.strip(SEPARATOR)


def under(path: str, prefix: str) -> bool:
    """Whether ``path`` is ``prefix`` or lies below it (whole segments)."""
    prefix = bare(prefix)
    return not prefix or path == prefix or path.startswith(prefix + SEPARATOR)


def prefixes(path: str | None) -> list[str]:
    """``a/b/c`` → ``["", "a", "a/b", "a/b/c"]``; an unknown path has the empty prefix only."""
    parts = segments(path)
    return ["", *(SEPARATOR.join(parts[: n + 1]) for n in range(len(parts)))]


def parse_jurisdiction(value: str) -> str:
    """A jurisdiction path in NFC, as the rules above say; ``TextRefused`` says why not."""
    path = unicodedata.normalize("NFC", value)
    parts = path.split(SEPARATOR)
    if len(parts) > MAX_SEGMENTS:
        raise TextRefused(f"at most {MAX_SEGMENTS} segments, got {len(parts)}")
    for segment in parts:
        if segment in (".", ".."):
            raise TextRefused("no segment may be . or ..")
        if not segment:
            raise TextRefused("no segment may be empty")
        refuse_untyped(segment)
        if not (shows(segment[0]) and shows(segment[-1])):
            raise TextRefused("every segment must begin and end with a character that shows")
    return path


def parse_prefix(value: str) -> str:
    """A prefix, slashes around it dropped; empty for everywhere."""
    path = bare(value)
    return parse_jurisdiction(path) if path else ""


def _segment_pattern() -> str:
    inner, shown = f"[^{REFUSED_CLASS}/]", f"[^{HIDDEN_CLASS}/]"
    shown_not_dot = f"[^{HIDDEN_CLASS}/.]"
    return f"(?:{shown_not_dot}(?:{inner}*{shown})?|\\.(?:{inner}*{shown_not_dot}|{inner}+{shown}))"


def jurisdiction_pattern(*, prefix: bool = False) -> str:
    """What ``parse_jurisdiction`` (or, with ``prefix``, ``parse_prefix``) takes, as a
    regular expression (Python's syntax) that the API publishes."""
    segment = _segment_pattern()
    path = f"{segment}(?:/{segment}){{0,{MAX_SEGMENTS - 1}}}"
    return f"^/*(?:{path})?/*$" if prefix else f"^{path}$"
