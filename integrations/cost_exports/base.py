"""What each export format module provides to the shared reader."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from .values import Chunk


@dataclass(frozen=True)
class ExportFormat:
    """How to recognise, stream and normalise one export format.

    Attributes:
        name: the ``format=`` value (``"focus"``, ``"aws-cur"``, ...).
        required: source columns that must be in the header; each entry lists alternative
            spellings of one column (any one suffices).
        currency: the source column(s) holding the billing currency, for error messages.
        wanted: whether a source column is read at all (keeps wide exports' chunks small).
        normalise: raw chunk → batch with exactly ``schema.COLUMNS``.
        looks_like: whether a header is this format's (for ``detect_format``).
    """

    name: str
    required: tuple[tuple[str, ...], ...]
    currency: tuple[str, ...]
    wanted: Callable[[str], bool]
    normalise: Callable[[Chunk], pd.DataFrame]
    looks_like: Callable[[Sequence[str]], bool]

    def missing(self, header: Sequence[str]) -> list[str]:
        """Required columns absent from ``header`` (alternatives joined with ``" or "``)."""
        present = set(header)
        return [" or ".join(alts) for alts in self.required if present.isdisjoint(alts)]
