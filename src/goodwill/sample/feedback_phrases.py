"""What the sample's customers write: six themes, each a few ways of saying the same thing.

A sentence is an optional opener, one core phrase of its theme, an optional detail of the
same theme and an optional closer; openers and closers are shared by every theme, so a
theme is told apart by its own words, as in real answers. Typos and mixed case are added
when the sentence is drawn (:mod:`goodwill.sample.feedback_text`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    """A true theme of the sample: its words, and how the customer's experience moves it.

    ``base`` is its weight among the experience-driven themes; ``after_broken_promise``,
    ``when_overpaying``, ``when_unhappy`` and ``after_ticket`` multiply it in those
    situations; ``leaver_tilt`` multiplies it for a customer who leaves within six months
    of writing (the planted churn effect). A theme with ``fixed_share`` is drawn with that
    probability whatever happened, so it has no effect on churn.
    """

    name: str
    label: str
    core: tuple[str, ...]
    detail: tuple[str, ...]
    base: float = 1.0
    after_broken_promise: float = 1.0
    when_overpaying: float = 1.0
    when_unhappy: float = 1.0
    after_ticket: float = 1.0
    leaver_tilt: float = 1.0
    fixed_share: float | None = None


THEMES = (
    Theme(
        "data_slow",
        "data too slow",
        ("my mobile data is so slow", "data speeds are really slow", "the 4g data is painfully slow",
         "mobile data on my phone is too slow", "slow data, pages take forever to load"),
        ("videos keep buffering on slow data", "web pages will not load, data too slow",
         "data crawls in the evenings", "speed test shows slow data"),
        base=1.0, when_unhappy=2.0, leaver_tilt=4.0,
    ),
    Theme(
        "bill_higher",
        "bill higher than expected",
        ("my bill was much higher than expected", "the bill is higher than i expected",
         "charged more than expected on my bill", "my monthly bill is higher than expected",
         "the bill was higher than the plan price"),
        ("extra charges on the bill", "bill shock again this month",
         "i pay more on the bill than i use", "the bill does not match the price i was quoted"),
        base=0.5, when_overpaying=5.0, when_unhappy=1.5, leaver_tilt=2.0,
    ),
    Theme(
        "roaming_charge",
        "roaming charge",
        ("got a roaming charge on holiday", "roaming charges abroad were a surprise",
         "charged for roaming in france", "the roaming charge in spain was steep"),
        ("used data abroad and paid roaming", "roaming abroad should be clearer",
         "texts from the holiday cost roaming extra"),
        fixed_share=0.12,
    ),
    Theme(
        "delivery_late",
        "SIM or delivery late",
        ("my sim card never arrived", "the sim delivery was late", "still waiting for the sim delivery",
         "the replacement sim arrived days late", "delivery of my new sim was late"),
        ("the courier said it was delivered but no sim came", "promised next day delivery, took a week",
         "nobody called me back about the late delivery"),
        base=0.25, after_broken_promise=12.0, when_unhappy=1.5, leaver_tilt=2.0,
    ),
    Theme(
        "agent_kind",
        "agent was kind",
        ("the agent was so kind and helpful", "lovely kind agent on the phone",
         "the agent i spoke to was kind and patient", "great customer service agent, very kind"),
        ("the agent sorted my problem in minutes, thank you", "she was kind and fixed it straight away",
         "friendly agent who really helped"),
        base=0.6, when_unhappy=0.3, after_ticket=4.0, leaver_tilt=0.3,
    ),
    Theme(
        "switching_easy",
        "switching was easy",
        ("switching to you was easy", "switching my number over was easy",
         "easy switch, kept my old number", "the switch from my old network was easy"),
        ("porting my number took one day, easy", "the pac code switch went smoothly",
         "switching was quick and easy"),
        fixed_share=0.10,
    ),
)  # fmt: skip

THEME_NAMES = tuple(t.name for t in THEMES)

OPENERS = (
    "", "", "", "honestly, ", "to be fair ", "well ", "hi, ", "overall ", "as i said before, ",
)  # fmt: skip
CLOSERS = (
    "", "", "", ".", "!", ". please sort it", ". otherwise fine", ". thanks", " tbh", "...",
    ". would like someone to look at this",
)  # fmt: skip
