"""The text rules, and the regular expressions the API publishes for them, agree."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.jurisdiction import jurisdiction_pattern, parse_jurisdiction, parse_prefix
from domain.text import BLANK, REFUSED, TextRefused, normalised, text_pattern

TRICKY = "/. \u3000\u3164\u200b\u200d\u200f\ufeff\t\n\r\x07\u2028e\u0301\u00e9省浙"
"""Characters the rules treat apart, mixed into the generated text."""
TEXT = st.text(st.one_of(st.sampled_from(TRICKY), st.characters(codec="utf-8")), max_size=12)
SEGMENTS = st.lists(st.text(st.sampled_from(TRICKY + "市"), max_size=3), min_size=1, max_size=10)
PATHS = st.one_of(TEXT, SEGMENTS.map("/".join))


def characters(*categories: str) -> set[int]:
    return {c for c in range(0x110000) if unicodedata.category(chr(c)) in categories}


def of(ranges: tuple[tuple[int, int], ...]) -> set[int]:
    return {c for low, high in ranges for c in range(low, high + 1)}


def takes(rule: object, value: str) -> bool:
    try:
        rule(value)  # type: ignore[operator]
    except TextRefused:
        return False
    return True


def test_the_refused_characters_are_the_controls_formats_and_separators_of_this_unicode() -> None:
    assert of(REFUSED) == characters("Cc", "Cf", "Zl", "Zp")
    assert characters("Zs") <= of(BLANK)


@pytest.mark.parametrize("lines", [False, True])
@pytest.mark.parametrize("required", [False, True])
@settings(max_examples=400, deadline=None)
@given(value=TEXT)
def test_the_text_pattern_takes_what_the_text_rule_takes(value: str, lines: bool, required: bool) -> None:
    pattern = re.compile(text_pattern(lines=lines, required=required))

    def rule(text: str) -> str:
        return normalised(text, lines=lines, required=required)

    assert (pattern.fullmatch(value) is not None) == takes(rule, value)


@settings(max_examples=400, deadline=None)
@given(value=PATHS)
def test_the_jurisdiction_patterns_take_what_the_jurisdiction_rules_take(value: str) -> None:
    assert (re.fullmatch(jurisdiction_pattern(), value) is not None) == takes(parse_jurisdiction, value)
    assert (re.fullmatch(jurisdiction_pattern(prefix=True), value) is not None) == takes(parse_prefix, value)


def test_text_is_normalised_to_nfc_and_trimmed() -> None:
    assert normalised(" Jose\u0301\u3000") == "José"
    assert normalised("\r\n第一条\r\n第二条\r", lines=True) == "第一条\n第二条"
    assert normalised("", required=False) == ""


@pytest.mark.parametrize("value", ["\u200b", "王\u200b芳", "王\n芳", " ", "\u3164"])
def test_one_line_text_that_hides_something_or_shows_nothing_is_refused(value: str) -> None:
    with pytest.raises(TextRefused):
        normalised(value)


@pytest.mark.parametrize(
    "value", ["浙江省/./嘉兴市", "..", "浙江省/\u200b/x", "\ufeff", "浙江省/ 嘉兴市", "a//b"]
)
def test_a_jurisdiction_with_a_bad_segment_is_refused(value: str) -> None:
    with pytest.raises(TextRefused):
        parse_jurisdiction(value)
