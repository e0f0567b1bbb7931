"""The risk ratio of two groups with its 95% interval (Katz's log method).

RR = (a/n1) / (c/n2): how many times as often the event happens in the first group. The
interval is exp(log RR ± z·se) with se² = 1/a - 1/n1 + 1/c - 1/n2 (Katz et al. 1978;
Rothman, *Modern Epidemiology*, ch. 14). With an empty cell (no events in a group, or
every member with the event) half a count is added to every cell (Haldane-Anscombe), so
the interval is still finite and wide; an empty group has no ratio at all.
"""

from __future__ import annotations

import math

from goodwill.domain.stats.estimate import Z_95, Estimate


def risk_ratio(events: int, n: int, other_events: int, other_n: int) -> Estimate:
    """``events/n`` over ``other_events/other_n``; ``Estimate.n`` is ``n + other_n``.

    >>> round(risk_ratio(20, 100, 10, 100).value, 2)
    2.0
    >>> risk_ratio(0, 0, 5, 50).reason
    'no one in the group'
    >>> risk_ratio(3, 30, 0, 40).ok  # an empty cell: half a count each, a wide interval
    True
    """
    if n <= 0:
        return Estimate.missing(other_n, "no one in the group")
    if other_n <= 0:
        return Estimate.missing(n, "no one to compare with")
    if not (0 <= events <= n and 0 <= other_events <= other_n):
        return Estimate.missing(n + other_n, "more events than people")
    if events + other_events == 0:
        return Estimate.missing(n + other_n, "no events in either group")
    a, b, c, d = (
        float(events),
        float(n - events),
        float(other_events),
        float(other_n - other_events),
    )
    if min(a, b, c, d) == 0:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    ratio = (a / (a + b)) / (c / (c + d))
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    return Estimate(
        value=ratio,
        n=n + other_n,
        ci_low=math.exp(math.log(ratio) - Z_95 * se),
        ci_high=math.exp(math.log(ratio) + Z_95 * se),
    )
