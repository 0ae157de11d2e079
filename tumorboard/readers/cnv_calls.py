"""Copy-number calls: thresholds on numbers, and the words and discrete values tools write.

**Numbers** follow the thresholds in :class:`~tumorboard.models.RunOptions`:

* **amplification** when the absolute copy number is ``>= amp_copy_number`` (default 6: a focal
  high-level gain, about three times a diploid genome) or the fold change is
  ``>= amp_fold_change`` (default 2.0: TSO500 reports gene amplifications from a fold change of
  about 2);
* **deep deletion** (homozygous loss) when the copy number is ``< deep_deletion_copy_number``
  (default 0.5). A fold change is turned into a copy number as ``2 x fold change`` (diploid
  baseline; tumour purity is not known here, so low-purity deep deletions may be missed rather
  than invented).

A NaN, infinite or negative copy number or fold change is skipped with that reason: never read
as neutral, never as a deep deletion.

**Words and discrete values** (a ``call`` column, cBioPortal/GISTIC ``-2..2``, OncoKB annotator
and cBioPortal OQL words), used only when the row has no number:

=====================================================  =================================
written                                                read as
=====================================================  =================================
``2``, ``Amplification``, ``AMP``, ``amplified``,      amplification (high level)
``high-level amplification``
``-2``, ``Deletion``, ``HOMDEL``, ``deep deletion``,   deep deletion (homozygous)
``homozygous deletion``, ``deep loss``
``1``, ``Gain``, ``GAIN``, ``low-level gain``          gain: counted, never an amplification
``-1``, ``Loss``, ``HETLOSS``, ``shallow deletion``,   one-copy loss: counted, never a deep
``hemizygous deletion``, ``heterozygous deletion``     deletion
``-1.5``                                               counted (between -1 and -2; not -2)
``0``, ``diploid``, ``neutral``, ``normal``            neutral: counted
``DUP``, ``DEL`` (VCF ``<DUP>``/``<DEL>``) alone       counted: no level to tell gain from
                                                       amplification, loss from deep deletion
=====================================================  =================================

The discrete values are cBioPortal's (File Formats, "Discrete Copy Number Data": -2 deep loss,
possibly a homozygous deletion; -1 single-copy loss; 0 diploid; 1 low-level gain; 2 high-level
amplification), as GISTIC 2.0 thresholds them. Anything else in a call column is counted as not
understood. Every call that is not reported is counted in ``qc.skipped`` with its reason.
"""

from __future__ import annotations

import math

from tumorboard.alterations import AMPLIFICATION, DELETION, Alteration
from tumorboard.models import RunOptions
from tumorboard.readers.base import QCCounter
from tumorboard.readers.text import norm_column

AMP, DEEP, GAIN, LOSS, NEUTRAL = "amplification", "deep deletion", "gain", "loss", "neutral"
BETWEEN, UNLEVELLED = "-1.5", "unlevelled"

_WORDS = {
    AMP: ("2", "amplification", "amp", "amplified", "highlevelamplification", "highlevelgain"),
    DEEP: ("-2", "deletion", "homdel", "deepdeletion", "homozygousdeletion", "deeploss"),
    GAIN: ("1", "+1", "gain", "lowlevelgain", "copygain"),
    LOSS: ("-1", "loss", "hetloss", "shallowdeletion", "hemizygousdeletion", "copyloss",
           "heterozygousdeletion", "singlecopyloss"),
    NEUTRAL: ("0", "diploid", "neutral", "normal", "nochange", "wildtype"),
    BETWEEN: ("-1.5",),
    UNLEVELLED: ("dup", "duplication", "del", "cnv"),
}  # fmt: skip
_LEVELS = {word: level for level, words in _WORDS.items() for word in words}
_NUMERIC = {2.0: AMP, -2.0: DEEP, 1.0: GAIN, -1.0: LOSS, 0.0: NEUTRAL, -1.5: BETWEEN}

SKIP_REASONS = {
    GAIN: "copy-number call gain (low level): not an amplification",
    LOSS: "copy-number call one-copy loss: not a deep deletion",
    NEUTRAL: "copy-number call neutral",
    BETWEEN: "copy-number call -1.5 (between one-copy loss and deep deletion): not reported",
    UNLEVELLED: "copy-number call DUP/DEL without a copy number or fold change: level unknown",
}
UNKNOWN_CALL = "copy-number call not understood"


def call_level(call: str) -> str | None:
    """The level of a written call (see the module docstring), or ``None`` if not understood."""
    text = call.strip().strip("<>")
    try:
        value = float(text)
    except ValueError:
        return _LEVELS.get(norm_column(text))
    return _NUMERIC.get(value) if math.isfinite(value) else None


FITTED_ZERO = -0.5
"""The lowest copy number read as no copy: a fitted absolute copy number of a homozygous loss
comes out slightly below 0 (PURPLE writes -0.0117), and rounds to 0. Below this, a negative
copy number is an error of the file (skipped with the reason)."""


def fitted(value: float | None) -> float | None:
    """``value``, or 0.0 for a fitted copy number from :data:`FITTED_ZERO` up to 0."""
    return 0.0 if value is not None and FITTED_ZERO <= value < 0 else value


def _bad(value: float | None, lowest: float = 0.0) -> str:
    if value is None:
        return ""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "infinite"
    return "negative" if value < lowest else ""


def level_problem(copy_number: float | None, fold_change: float | None) -> str:
    """Why a copy number or fold change cannot be used (``copy number is NaN``), or ``""``.
    A copy number from :data:`FITTED_ZERO` up to 0 is usable (it is read as 0)."""
    problem = _bad(copy_number, FITTED_ZERO)
    if problem:
        return f"copy number is {problem}"
    problem = _bad(fold_change)
    return f"fold change is {problem}" if problem else ""


def classify_copy_number(
    gene: str,
    options: RunOptions,
    *,
    copy_number: float | None = None,
    fold_change: float | None = None,
    call: str = "",
    qc: QCCounter,
    where: str,
) -> Alteration | None:
    """An amplification or deep deletion of ``gene``, or ``None`` (counted in ``qc``)."""
    problem = level_problem(copy_number, fold_change)
    if problem:
        qc.skip(problem, f"{gene} ({where})")
        return None
    copy_number = fitted(copy_number)
    if copy_number is None and fold_change is None:
        if call.strip():
            return trusted_call(gene, call, qc, where)
        qc.skip("copy-number row without copy number, fold change or call", f"{gene} ({where})")
        return None
    return _by_numbers(gene, options, copy_number, fold_change, call, qc, where)


def _by_numbers(
    gene: str,
    options: RunOptions,
    copy_number: float | None,
    fold_change: float | None,
    call: str,
    qc: QCCounter,
    where: str,
) -> Alteration | None:
    cn = copy_number if copy_number is not None else 2 * fold_change  # type: ignore[operator]
    is_amp = (copy_number is not None and copy_number >= options.amp_copy_number) or (
        fold_change is not None and fold_change >= options.amp_fold_change
    )
    is_deep = not is_amp and cn < options.deep_deletion_copy_number
    if (is_amp and _direction(call) < 0) or (is_deep and _direction(call) > 0):
        qc.skip("copy number and call disagree", f"{gene} {call.strip()[:20]!r} ({where})")
        return None
    if is_amp:
        return Alteration(
            gene=gene, kind=AMPLIFICATION, copy_number=copy_number, fold_change=fold_change
        )
    if is_deep:
        return Alteration(
            gene=gene,
            kind=DELETION,
            copy_number=copy_number,
            fold_change=fold_change,
            zygosity="homozygous",
        )
    if cn > 2:
        qc.skip("copy-number gain below the amplification threshold", f"{gene} ({where})")
    elif cn < 2:
        qc.skip("copy-number loss above the deep-deletion threshold", f"{gene} ({where})")
    else:
        qc.skip("copy-number neutral", f"{gene} ({where})")
    return None


def _direction(call: str) -> int:
    """+1 for a call of more copies (amplification, gain, DUP), -1 for fewer, else 0."""
    level = call_level(call)
    if level in (AMP, GAIN):
        return 1
    if level in (DEEP, LOSS, BETWEEN):
        return -1
    if level == UNLEVELLED:
        key = norm_column(call.strip("<> "))
        return 1 if key.startswith("dup") else (-1 if key == "del" else 0)
    return 0


def trusted_call(gene: str, call: str, qc: QCCounter, where: str) -> Alteration | None:
    """An amplification or deep deletion named by a call alone (noted as unchecked), or ``None``."""
    level = call_level(call)
    if level == AMP:
        a = Alteration(gene=gene, kind=AMPLIFICATION)
    elif level == DEEP:
        a = Alteration(gene=gene, kind=DELETION, zygosity="homozygous")
    else:
        reason = SKIP_REASONS.get(level or "", UNKNOWN_CALL)
        qc.skip(reason, f"{gene} {call.strip()[:20]!r} ({where})")
        return None
    meaning = f" ({level})" if call.strip().lstrip("+-").replace(".", "").isdigit() else ""
    a.notes.append(
        f"called {call.strip()!r}{meaning} by the input, without a copy number or fold change "
        "to check"
    )
    return a


__all__ = [
    "AMP",
    "DEEP",
    "FITTED_ZERO",
    "GAIN",
    "LOSS",
    "NEUTRAL",
    "SKIP_REASONS",
    "UNKNOWN_CALL",
    "call_level",
    "classify_copy_number",
    "fitted",
    "level_problem",
    "trusted_call",
]
