"""Arrow columns in the ingest format: ids, UTC timestamps, dates, tokens, nullable text."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from goodwill.sample.clock import DAY, NEVER

Ints = npt.NDArray[np.int64]


def ids(prefix: str, index: Ints, width: int) -> pa.Array:
    """``prefix`` and the 1-based number, zero-padded: ``ids("C", [0], 6)`` -> ``C000001``."""
    digits = pc.utf8_lpad(pc.cast(pa.array(index + 1), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def id_width(count: int) -> int:
    """Digits for ``count`` ids: at least 6, more for a million customers."""
    return max(6, len(str(count)))


def timestamps(seconds: Ints) -> pa.Array:
    """``2026-03-14T09:30:00Z`` for each time; NEVER becomes an empty cell."""
    naive = pa.array(seconds, type=pa.timestamp("s"), mask=seconds == NEVER)
    # Casting a naive timestamp is ~30x faster than strftime or a UTC-zoned cast.
    text = pc.replace_substring(pc.cast(naive, pa.string()), " ", "T", max_replacements=1)
    return pc.binary_join_element_wise(text, pa.scalar("Z"), "")


def dates(seconds: Ints) -> pa.Array:
    """The UTC calendar date of each time (``YYYY-MM-DD``); NEVER becomes empty."""
    return pa.array(seconds // DAY, type=pa.int32(), mask=seconds == NEVER).cast(pa.date32())


def pick(options: Sequence[str], index: Ints) -> pa.Array:
    """``options[index]`` as text; a negative index becomes an empty cell."""
    return pc.take(pa.array(list(options), pa.string()), pa.array(index, mask=index < 0))


def joined(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of text columns and constants (null if any part is)."""
    values = [pa.scalar(p) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*values, "")


def tokens(bits: Ints, names: Sequence[str]) -> pa.Array:
    """The ``;``-separated names of the set bits; no bit set becomes an empty cell."""
    lookup = [
        ";".join(n for i, n in enumerate(names) if code >> i & 1) for code in range(1 << len(names))
    ]
    return pick(lookup, np.where(bits == 0, -1, bits))
