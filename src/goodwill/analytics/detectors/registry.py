"""Find detectors through the ``goodwill.detectors`` entry point group, built-ins included."""

from __future__ import annotations

from importlib.metadata import entry_points

from goodwill.analytics.detectors.base import Detector
from goodwill.errors import ConfigError

GROUP = "goodwill.detectors"


def load_detectors(names: list[str] | None = None) -> list[Detector]:
    """Every registered detector (or those named), sorted by name so runs are reproducible."""
    found: dict[str, Detector] = {}
    for ep in entry_points(group=GROUP):
        if names is not None and ep.name not in names:
            continue
        detector = ep.load()()
        if not isinstance(detector, Detector):
            raise ConfigError(f"entry point {ep.name} = {ep.value} is not a goodwill detector")
        found[ep.name] = detector
    unknown = sorted(set(names or ()) - set(found))
    if unknown:
        raise ConfigError(
            f"no detector named {', '.join(unknown)}; registered: {', '.join(sorted(found)) or 'none'}"
        )
    return [found[n] for n in sorted(found)]
