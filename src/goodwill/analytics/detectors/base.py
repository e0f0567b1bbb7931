"""The contract of a moment detector: a name, its parameters, and one method.

A detector reads the ledger and returns an ibis table of *moments* — candidate gifts —
with the columns of :data:`MOMENT_SCHEMA`. Built-in detectors register through the same
entry point group, ``goodwill.detectors``, as third-party ones::

    [project.entry-points."goodwill.detectors"]
    my_moment = "my_package.detectors:MyMoment"

A detector that builds its rows in Python may also offer them as they are
(:class:`RowDetector`), which saves the care run a JSON round trip per moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import ibis
import ibis.expr.datatypes as dt

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from goodwill.ledger.reader import Ledger
    from goodwill.settings import Settings

#: The columns every detector returns, in this order.
MOMENT_SCHEMA = ibis.schema(
    {
        "customer_id": dt.string,
        "subscription_id": dt.String(nullable=True),
        "kind": dt.string,
        "detected_for": dt.string,
        "value_to_customer_minor": dt.int64,
        "cost_to_business_minor": dt.int64,
        "currency": dt.string,
        "evidence": dt.string,
    }
)


@dataclass(frozen=True)
class DetectorContext:
    """What a detector gets: the ledger, the day it runs for, the settings, and (read only)
    goodwill's own store, for what goodwill itself promised (a replacement SIM)."""

    ledger: Ledger
    asof: date
    settings: Settings
    store: Engine | None = None


@runtime_checkable
class Detector(Protocol):
    """Finds one kind of moment. ``message_type`` is the consent it needs ('service': none)."""

    name: ClassVar[str]
    message_type: ClassVar[str]
    mandatory: ClassVar[bool]
    gift: ClassVar[str]

    def parameters(self, context: DetectorContext) -> Mapping[str, object]:
        """The parameters this detector uses, as recorded with the run."""
        ...

    def detect(self, context: DetectorContext) -> ibis.Table:
        """An ibis table of moments with the columns of MOMENT_SCHEMA."""
        ...


@runtime_checkable
class RowDetector(Detector, Protocol):
    """A detector that makes its moments in Python may also hand them over as rows: the
    care run then takes each evidence as it is rather than as JSON text parsed again."""

    def moment_rows(self, context: DetectorContext) -> list[dict[str, Any]]:
        """The rows of :meth:`detect`'s table, but each ``evidence`` a dict (as JSON reads)."""
        ...


def conform(moments: ibis.Table) -> ibis.Table:
    """Select and cast a detector's output to MOMENT_SCHEMA, or say what is missing."""
    missing = [c for c in MOMENT_SCHEMA.names if c not in moments.columns]
    if missing:
        raise ValueError(f"a detector's moments lack the columns {', '.join(missing)}")
    return moments.select(*[moments[c].cast(t).name(c) for c, t in MOMENT_SCHEMA.items()])
