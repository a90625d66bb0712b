"""The kinds of value requests carry, as pydantic types: free text, jurisdictions and
business dates. The rules are the domain's (``domain.text``, ``domain.jurisdiction``,
``domain.values``); these types apply them to bodies and query parameters alike, and
publish them in the document.

Text is strict (a string, never a number), at most ``max_length`` characters as sent,
then normalised to NFC and trimmed. A business date is an ISO ``YYYY-MM-DD`` string;
whether it lies in the accepted range (``domain.values.business_dates``) the command
decides, since the range moves with the day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from domain.jurisdiction import jurisdiction_pattern, parse_jurisdiction, parse_prefix
from domain.text import normalised, text_pattern

ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_JURISDICTION_LENGTH = 400


class _Rule:
    """A string type: strict, limited in length, then checked and normalised by ``apply``."""

    def lengths(self) -> tuple[int, int]:
        raise NotImplementedError

    def apply(self, value: str) -> str:
        raise NotImplementedError

    def pattern(self) -> str:
        raise NotImplementedError

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        shortest, longest = self.lengths()
        sent = core_schema.str_schema(strict=True, min_length=shortest, max_length=longest)
        return core_schema.no_info_after_validator_function(self.apply, sent)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        described = handler(schema)
        described["pattern"] = self.pattern()
        return described


@dataclass(frozen=True)
class FreeText(_Rule):
    """Text a person typed; ``lines`` takes line breaks, ``required`` wants something shown."""

    max_length: int = 200
    lines: bool = False
    required: bool = True

    def lengths(self) -> tuple[int, int]:
        return int(self.required), self.max_length

    def apply(self, value: str) -> str:
        return normalised(value, lines=self.lines, required=self.required)

    def pattern(self) -> str:
        return text_pattern(lines=self.lines, required=self.required)


@dataclass(frozen=True)
class JurisdictionPath(_Rule):
    """A jurisdiction path; with ``prefix``, the start of one (slashes around it ignored, empty
    for everywhere)."""

    prefix: bool = False

    def lengths(self) -> tuple[int, int]:
        return int(not self.prefix), MAX_JURISDICTION_LENGTH

    def apply(self, value: str) -> str:
        return parse_prefix(value) if self.prefix else parse_jurisdiction(value)

    def pattern(self) -> str:
        return jurisdiction_pattern(prefix=self.prefix)


@dataclass(frozen=True)
class IsoDate:
    """A calendar date written ``YYYY-MM-DD``: no number, no time, no other format."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.written, core_schema.date_schema())

    @staticmethod
    def written(value: Any) -> Any:
        if isinstance(value, str) and ISO_DATE.match(value):
            return value
        raise ValueError("must be an ISO date written YYYY-MM-DD")


Name = Annotated[str, FreeText(200)]
"""Names, titles, payees: one line that says something."""
Reason = Annotated[str, FreeText(2000)]
"""A reason or another short statement: one line that says something."""
Note = Annotated[str, FreeText(2000, lines=True)]
"""A progress note or an outcome: lines that say something."""
Text = Annotated[str, FreeText(4000, lines=True, required=False)]
LongText = Annotated[str, FreeText(20000, lines=True, required=False)]
"""A charter or a description: lines, possibly none."""
Category = Annotated[str, FreeText(64)]
Reference = Annotated[str, FreeText(200, required=False)]
"""A payment's reference: one line, possibly empty."""
RequestReference = Annotated[str, FreeText(100)]
"""The reference of a data subject's request (an erasure's), as the organisation filed it."""
Jurisdiction = Annotated[str, JurisdictionPath()]
JurisdictionPrefix = Annotated[str, JurisdictionPath(prefix=True)]
BusinessDate = Annotated[date, IsoDate()]
