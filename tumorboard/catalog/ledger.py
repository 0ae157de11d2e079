"""The coverage ledger: every EMA and FDA oncology indication whose wording names a biomarker.

``drug_catalog/ledger/*.yaml`` hold one row per indication as the agency words it (FDA label
section 1, EU SmPC section 4.1), with its decision date and source document, and its status:
``encoded`` (the catalog records that implement it), ``out_of_scope`` (with the reason, e.g. a
protein marker read by IHC that no DNA/RNA panel reports) or ``withdrawn``. The ledger is what
makes the catalog's completeness checkable: a test fails when an encoded row names no record or
a record has no row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tumorboard.catalog.schema import DrugId, IsoDate, RuleId
from tumorboard.errors import CatalogError

LEDGER_DIR = "ledger"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LedgerSource(_Strict):
    """The agency document the row was read from."""

    document: str = Field(min_length=5, description="e.g. 'TAFINLAR prescribing information'")
    section: str = Field(min_length=1, description="'1.2' (FDA) or '4.1' (EU SmPC)")
    url: str = Field(pattern=r"^https?://\S+$")
    version: str = Field(default="", description="Revision date of the text read, if shown")


class LedgerRow(_Strict):
    """One indication as the agency words it, and what tumorboard does with it."""

    id: Annotated[str, Field(pattern=r"^(EMA|FDA)-[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    agency: Literal["EMA", "FDA"]
    drugs: list[DrugId] = Field(min_length=1)
    brand: str = Field(min_length=2)
    biomarker: str = Field(min_length=2, description="The label's words for the biomarker")
    tumour: str = Field(min_length=2, description="The label's words for the tumour")
    text: str = Field(default="", description="The whole indication sentence, verbatim")
    conditions: str = Field(default="", description="Line, age, grade... as worded")
    date: IsoDate = Field(description="FDA approval / EC decision of this indication")
    withdrawn: IsoDate | None = None
    status: Literal["encoded", "out_of_scope", "withdrawn"]
    records: list[RuleId] = Field(default_factory=list, description="Catalog records (encoded)")
    reason: str = Field(default="", description="Why out of scope / what was withdrawn")
    source: LedgerSource

    @model_validator(mode="after")
    def _status_fields(self) -> LedgerRow:
        if not self.id.startswith(self.agency + "-"):
            raise ValueError(f"id must start with '{self.agency}-'")
        if self.status == "encoded" and not self.records:
            raise ValueError("an encoded row names its catalog records")
        if self.status != "encoded" and not self.reason:
            raise ValueError(f"a {self.status} row gives its reason")
        if self.status != "encoded" and not self.text:
            raise ValueError(f"a {self.status} row quotes the indication (text)")
        if self.status == "withdrawn" and self.withdrawn is None:
            raise ValueError("a withdrawn row gives the withdrawal date")
        return self


class LedgerFile(_Strict):
    rows: list[LedgerRow] = Field(default_factory=list)


def load_ledger(folder: str | Path) -> list[LedgerRow]:
    """Every row of every ``*.yaml`` in ``folder`` (sorted by file name); ids must be unique."""
    from tumorboard.catalog.yamlmarks import parse_yaml, read_text, schema_errors

    rows: list[LedgerRow] = []
    seen: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        display = str(path)
        data, lines = parse_yaml(read_text(path, display), display)
        try:
            model = LedgerFile.model_validate(data or {})
        except ValidationError as exc:
            hint = "see drug_catalog/README.md, 'The coverage ledger'"
            raise schema_errors(exc, lines, display, hint)[0] from exc
        for row in model.rows:
            if row.id in seen:
                raise CatalogError(
                    f"duplicate ledger row {row.id!r} (first in {seen[row.id]})", where=display
                )
            seen[row.id] = display
            rows.append(row)
    return rows


__all__ = ["LEDGER_DIR", "LedgerRow", "LedgerSource", "load_ledger"]
