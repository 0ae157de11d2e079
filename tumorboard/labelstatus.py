"""The label statuses of a match, in order: the one definition of that order.

:class:`Label` is what ``Match.label`` holds; :data:`TIERS` is the order the ranking uses, with
"on-label if" (on-label with label conditions the board must confirm) right after on-label.
"""

from __future__ import annotations

from enum import Enum


class Label(str, Enum):
    """A match's label status, in order (strongest first): the one definition of that order.

    A ``str`` enum: it compares equal to its value (``m.label == "on-label"``) and is written as
    the value in JSON, TSV and reports. "on-label if ..." is not a status of its own: it is
    ``ON_LABEL`` with :attr:`Match.requires` to confirm (:attr:`Match.label_text`).
    """

    ON_LABEL = "on-label"
    OFF_LABEL = "off-label"
    INVESTIGATIONAL = "investigational"
    UNCERTAIN = "uncertain"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def order(self) -> int:
        """0 for on-label ... 3 for uncertain."""
        return _LABEL_POSITION[self]


_LABEL_POSITION = {label: i for i, label in enumerate(Label)}


TIERS: dict[str, int] = {
    name: i
    for i, name in enumerate(
        ["on-label", "on-label-if", *(label.value for label in Label if label.order > 0)]
    )
}
"""Label tiers in ranking order: the order of :class:`Label`, with ``on-label-if`` (on-label
with something to confirm) right after ``on-label``."""

__all__ = ["TIERS", "Label"]
