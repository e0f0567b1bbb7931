"""Pinned themes: an operator's own list of theme → seed terms, read from a TOML file.

::

    # themes.toml
    [themes]
    "data too slow" = ["slow data", "buffering", "4g"]
    "bill higher than expected" = ["bill higher", "charged more"]

The model starts a theme from each list's words and gives the theme it finds there the
operator's name, so a theme keeps its name from one month to the next.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from goodwill.errors import ConfigError


@dataclass(frozen=True)
class PinnedTheme:
    """A theme the operator named, and the words that start it."""

    name: str
    seed_terms: tuple[str, ...]


def parse_pins(data: dict[str, object], where: str = "pins") -> tuple[PinnedTheme, ...]:
    """Pinned themes from the parsed TOML ``data`` (its ``[themes]`` table)."""
    table = data.get("themes")
    if not isinstance(table, dict) or not table:
        raise ConfigError(
            f'{where}: no [themes] table; write e.g. [themes] "late sim" = ["sim", "late"]'
        )
    pins = []
    for name, terms in table.items():
        if (
            not isinstance(terms, list)
            or not terms
            or not all(isinstance(t, str) and t.strip() for t in terms)
        ):
            raise ConfigError(
                f"{where}: theme {name!r} needs a list of seed terms (non-empty text), got {terms!r}"
            )
        pins.append(PinnedTheme(str(name), tuple(t.strip().lower() for t in terms)))
    return tuple(pins)


def read_pins(path: Path) -> tuple[PinnedTheme, ...]:
    """Pinned themes from a TOML file; a bad file is a ConfigError naming it and the key."""
    return read_pins_file(path)[0]


def read_pins_file(path: Path | None) -> tuple[tuple[PinnedTheme, ...], str]:
    """(the pinned themes, a digest of the file's bytes) read in one go; no file: ((), "none")."""
    if path is None:
        return (), "none"
    try:
        raw = Path(path).read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the pinned themes file ({exc.strerror})") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); see docs/themes.md") from exc
    return parse_pins(data, str(path)), hashlib.sha256(raw).hexdigest()[:16]
