"""Monthly goodwill budgets: what is left to give, per kind of gift that costs money."""

from __future__ import annotations

from dataclasses import dataclass, replace

from goodwill.domain.formatting import format_money
from goodwill.domain.moments import Moment


@dataclass(frozen=True)
class BudgetLeft:
    """What is left of one kind's budget for one month.

    ``kind`` is the moment kind whose credits draw on it (e.g. ``broken_promise``);
    ``period`` is the month, ``YYYY-MM``. ``currency`` None means the business works in
    one currency, so any credit's currency is this budget's.
    """

    kind: str
    period: str
    left_minor: int
    currency: str | None = None

    def __post_init__(self) -> None:
        if self.left_minor < 0:
            raise ValueError(
                f"budget {self.kind} {self.period}: left_minor {self.left_minor} is negative"
            )

    def fits(self, amount_minor: int, currency: str) -> bool:
        """Whether a credit of ``amount_minor`` in ``currency`` can come out of what is left."""
        same_currency = self.currency is None or self.currency == currency
        return same_currency and 0 <= amount_minor <= self.left_minor

    def spend(self, amount_minor: int, currency: str) -> BudgetLeft:
        """The budget after granting ``amount_minor``; refuses what does not fit."""
        if not self.fits(amount_minor, currency):
            raise ValueError(
                f"budget {self.kind} {self.period}: a credit of {amount_minor} {currency} "
                f"does not fit in the {self.left_minor} left"
            )
        return replace(self, left_minor=self.left_minor - amount_minor)


def budget_refusal(budget: BudgetLeft | None, credit: Moment, period: str) -> str | None:
    """Why ``credit`` cannot come out of ``budget`` in ``period``, or None when it can."""
    if budget is None or budget.period != period:
        return f"no budget for {credit.kind} in {period}"
    if budget.currency not in (None, credit.currency):
        return (
            f"the budget for {credit.kind} is in {budget.currency}, the credit in {credit.currency}"
        )
    if not budget.fits(credit.cost_to_business_minor, credit.currency):
        left, asked = (
            format_money(v, credit.currency)
            for v in (budget.left_minor, credit.cost_to_business_minor)
        )
        return f"budget for {credit.kind} in {period} is spent ({left} left, credit of {asked})"
    return None
