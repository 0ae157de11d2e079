"""Cohort definitions: the YAML schema (pydantic, ``extra="forbid"``) and its loader.

A cohort is the triple **tumour type x biomarker x drug(s)** with a two-stage design. The bundled
IMPRESS-style set lives in ``drug_catalog/cohorts.yaml``; errors carry ``file:line``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tumorboard.cohorts.design import DEFAULT_DESIGN, Design
from tumorboard.errors import CatalogSchemaError, OncoTreeError, RegistryError, excerpt

if TYPE_CHECKING:
    from tumorboard.catalog import Catalog
    from tumorboard.oncotree import TreeLike

CohortState = Literal["planned", "open", "suspended", "closed"]
_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class _Strict(BaseModel):
    # Built on first validation, not at import.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class TumorScope(_Strict):
    """OncoTree codes (descendants included), or every solid tumour; minus exclusions."""

    include: list[str] = Field(default_factory=list, description="OncoTree codes")
    solid: bool = Field(default=False, description="Every solid tumour (not Myeloid/Lymphoid)")
    exclude: list[str] = Field(default_factory=list, description="Codes (and descendants) out")

    @field_validator("include", "exclude")
    @classmethod
    def _upper(cls, codes: list[str]) -> list[str]:
        return [c.strip().upper() for c in codes]

    @model_validator(mode="after")
    def _one_scope(self) -> TumorScope:
        if bool(self.include) == self.solid:
            raise ValueError("give either include: [codes] or solid: true (exactly one)")
        return self

    def covers(self, code: str, tree: TreeLike) -> bool:
        """Does this scope cover the patient's tumour type ``code``?"""
        inside = (
            tree.is_solid(code)
            if self.solid
            else any(tree.is_descendant(code, inc) for inc in self.include)
        )
        return inside and not any(tree.is_descendant(code, exc) for exc in self.exclude)

    def describe(self) -> str:
        """In words: 'solid tumours except MEL, NSCLC' or 'COADREAD'."""
        base = "all solid tumours" if self.solid else ", ".join(self.include)
        return f"{base} except {', '.join(self.exclude)}" if self.exclude else base


class DesignSpec(_Strict):
    """Two-stage design; IMPRESS default 8/0/24/4."""

    n1: int = DEFAULT_DESIGN[0]
    r1: int = DEFAULT_DESIGN[1]
    n: int = DEFAULT_DESIGN[2]
    r: int = DEFAULT_DESIGN[3]

    @model_validator(mode="after")
    def _valid(self) -> DesignSpec:
        try:
            self.design()
        except RegistryError as exc:
            raise ValueError(exc.message) from None
        return self

    def design(self) -> Design:
        return Design(self.n1, self.r1, self.n, self.r)


class CohortDefinition(_Strict):
    """One cohort: tumour type x biomarker x drug(s), its design and its administrative data."""

    id: str = Field(pattern=_ID, max_length=80)
    title: str = Field(default="", description="Short human name")
    drugs: list[str] = Field(min_length=1, description="Lower-case INNs; a combination lists all")
    biomarker: str = Field(min_length=1, description="Catalog biomarker rule id, e.g. BRAF_V600")
    tumor_types: TumorScope
    design: DesignSpec = Field(default_factory=DesignSpec)
    replace_not_evaluable: bool = Field(
        default=True, description="A not-evaluable (NE) patient's slot is given to the next one"
    )
    sd_weeks: int = Field(default=16, ge=1, description="SD counts as benefit from this week on")
    state: CohortState = "open"
    sponsor: str = ""
    notes: str = ""
    based_on: list[str] = Field(
        default_factory=list, description="Catalog indication ids the drug is approved under"
    )

    @field_validator("drugs")
    @classmethod
    def _lower_sorted(cls, drugs: list[str]) -> list[str]:
        return sorted({d.strip().lower() for d in drugs})


class CohortFile(_Strict):
    """A cohort definition file: ``cohorts: [...]``."""

    cohorts: list[CohortDefinition] = Field(default_factory=list)


def bundled_cohorts_path() -> Path:
    """``drug_catalog/cohorts.yaml`` (the IMPRESS-style example set)."""
    from tumorboard.resources import catalog_dir

    return catalog_dir() / "cohorts.yaml"


def load_cohorts(
    path: str | Path | None = None,
    *,
    catalog: Catalog | None = None,
    tree: TreeLike | None = None,
    warnings: list[str] | None = None,
) -> list[CohortDefinition]:
    """Read and validate cohort definitions (``file:line`` in every error).

    With ``catalog`` (a :class:`tumorboard.catalog.Catalog`), biomarker ids and ``based_on`` ids
    must exist in it (unknown drugs go to ``warnings``); with ``tree`` every OncoTree code must
    resolve.
    """
    from tumorboard.catalog.yamlmarks import read_yaml, schema_errors

    source = Path(path) if path is not None else bundled_cohorts_path()
    display = str(source)
    data, lines = read_yaml(source, display)
    try:
        parsed = CohortFile.model_validate(data or {})
    except ValidationError as exc:
        hint = "see the cohorts section of README.md (cohort definition fields)"
        raise schema_errors(exc, lines, display, hint)[0] from exc
    seen: dict[str, int] = {}
    for i, cohort in enumerate(parsed.cohorts):
        where = f"{display}:{lines.get(('cohorts', i), '?')}"
        if cohort.id in seen:
            raise CatalogSchemaError(
                f"duplicate cohort id {excerpt(cohort.id)} (first at line {seen[cohort.id]})",
                where=where,
                hint="cohort ids must be unique",
            )
        seen[cohort.id] = lines.get(("cohorts", i), 0)
        check_references(cohort, where, catalog=catalog, tree=tree, warnings=warnings)
    return list(parsed.cohorts)


def check_references(
    cohort: CohortDefinition,
    where: str,
    *,
    catalog: Catalog | None = None,
    tree: TreeLike | None = None,
    warnings: list[str] | None = None,
) -> None:
    """Biomarker and ``based_on`` exist in the catalog; OncoTree codes resolve (errors).

    Drugs the catalog does not list yet are warnings (appended to ``warnings``).
    """
    if catalog is not None:
        missing = [d for d in cohort.drugs if d not in catalog.drugs]
        if missing and warnings is not None:
            warnings.append(
                f"{where}: {cohort.id}: drug(s) not (yet) in the catalog: {', '.join(missing)}; "
                "no match can reach this cohort until the catalog lists them"
            )
        if cohort.biomarker not in catalog.biomarkers:
            raise CatalogSchemaError(
                f"{excerpt(cohort.id)[1:-1]}: biomarker {excerpt(cohort.biomarker)} is not a "
                "catalog biomarker rule",
                where=where,
                hint="use a rule id from drug_catalog/biomarkers.yaml, e.g. BRAF_V600",
            )
        known = {i.id for i in catalog.indications}
        unknown = [b for b in cohort.based_on if b not in known]
        if unknown and warnings is not None:
            warnings.append(
                f"{where}: {cohort.id}: based_on names indication(s) not (yet) in the catalog: "
                f"{', '.join(unknown)}"
            )
    if tree is not None:
        for code in [*cohort.tumor_types.include, *cohort.tumor_types.exclude]:
            try:
                tree.resolve(code)
            except OncoTreeError as exc:
                raise CatalogSchemaError(
                    f"{excerpt(cohort.id)[1:-1]}: unknown OncoTree code {excerpt(code)}",
                    where=where,
                    hint=getattr(exc, "hint", None) or "see `tumorboard oncotree --search`",
                ) from exc


__all__ = [
    "CohortDefinition",
    "CohortFile",
    "CohortState",
    "DesignSpec",
    "TumorScope",
    "bundled_cohorts_path",
    "check_references",
    "load_cohorts",
]
