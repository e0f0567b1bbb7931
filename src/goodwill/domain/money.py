"""Money: a whole number of minor units (pence, cents) with its ISO 4217 currency.

>>> str(Money(750, "GBP"))
'£7.50'
>>> str(Money(250, "GBP") * 12)
'£30'
"""

from __future__ import annotations

from dataclasses import dataclass

from goodwill.domain.formatting import format_money


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount: ``minor`` units of ``currency`` (never a float)."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError(f"Money needs an int of minor units, not {self.minor!r}")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"currency {self.currency!r} is not an ISO 4217 code such as GBP")

    def __add__(self, other: Money) -> Money:
        return Money(self.minor + self._same(other).minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.minor - self._same(other).minor, self.currency)

    def __mul__(self, times: int) -> Money:
        return Money(self.minor * times, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __str__(self) -> str:
        return format_money(self.minor, self.currency)

    def _same(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency} amounts")
        return other
