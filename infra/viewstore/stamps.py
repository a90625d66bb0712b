"""A stamp of the views: each live view's generation and how many batches have written it.

Every write to a view's tables is a batch that adds one to its generation's count in
the batch's own transaction (``infra.viewstore.positions``), and a rebuild's swap
changes the live generation: two reads that find the same stamps for the views they
use find the same rows. Reading the stamps is one statement over two small tables.
"""

from __future__ import annotations

from typing import Any

from infra.database import Database
from infra.viewstore.generations import GENERATIONS_TABLE
from infra.viewstore.positions import POSITIONS_TABLE

ViewStamps = dict[str, tuple[int, int]]
"""view name: (live generation, batches that wrote it)"""


def stamps_statement(database: Database) -> str:
    prefix = database.prefix
    return (
        f"SELECT g.view, g.generation, p.batches FROM {prefix}{GENERATIONS_TABLE} g "
        f"JOIN {prefix}{POSITIONS_TABLE} p ON p.view = g.view AND p.generation = g.generation"
    )


def stamps_of(rows: list[Any]) -> ViewStamps:
    """From rows of ``stamps_statement`` as tuples."""
    return {str(view): (int(generation), int(batches)) for view, generation, batches in rows}
