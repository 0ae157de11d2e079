"""``tumorboard catalog``: validate, list, diff, import-civic."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tumorboard.cli._base import echo, echo_json, main
from tumorboard.errors import CatalogError, printable
from tumorboard.outputs import write_text_atomic

if TYPE_CHECKING:
    from tumorboard.oncotree import OncoTree

F = TypeVar("F", bound=Callable[..., Any])


def catalog_options(func: F) -> F:
    """``--catalog`` (replace the bundled catalog) and ``--catalog-extend`` (add to it)."""
    func = click.option(
        "--catalog-extend",
        "extend",
        multiple=True,
        type=click.Path(),
        help="Catalog file or manifest added to the bundled (or --catalog) one; repeatable.",
    )(func)
    return click.option(
        "--catalog",
        "catalogs",
        multiple=True,
        type=click.Path(),
        help="Catalog manifest, folder or file replacing the bundled one; repeatable.",
    )(func)


def _tree() -> OncoTree:
    from tumorboard.oncotree import OncoTree

    return OncoTree.load()


@main.group()
def catalog() -> None:
    """Inspect, check and compare drug catalogs.

    \b
    Example:
      tumorboard catalog list --gene BRAF --tumor-type SKCM
    """


@catalog.command("validate")
@click.argument("path", nargs=-1, type=click.Path())
@catalog_options
def validate(path: tuple[str, ...], catalogs: tuple[str, ...], extend: tuple[str, ...]) -> None:
    """Check a catalog (default: the bundled one): schema, references, OncoTree codes.

    Every problem is listed as FILE:LINE: FIELD: WHAT IS WRONG; exit 1 if any.

    \b
    Example:
      tumorboard catalog validate drug_catalog/catalog.yaml
      tumorboard catalog validate --catalog-extend my_extension.yaml
    """
    from tumorboard.catalog import check_catalog

    roots = list(path) + list(catalogs)
    cat, issues = check_catalog(roots or None, extend)
    if issues:
        for issue in issues:
            where = f"{issue.where}: " if issue.where else ""
            echo(f"{where}{issue.message}", err=True)
        raise CatalogError(
            f"catalog is invalid: {len(issues)} problem(s)",
            hint="fix the lines above; the schema is in drug_catalog/README.md",
        )
    assert cat is not None
    jur = {j: sum(1 for i in cat.indications if i.jurisdiction == j) for j in ("EMA", "FDA")}
    echo(
        f"OK: {cat.name} {cat.version} (sha256 {cat.sha256[:12]}): {len(cat.drugs)} drugs, "
        f"{len(cat.biomarkers)} biomarker rules, {len(cat.indications)} indications "
        f"(EMA {jur['EMA']}, FDA {jur['FDA']}), {len(cat.resistance)} resistance, "
        f"{len(cat.evidence)} evidence records"
    )


@catalog.command("list")
@click.option("--gene", help="Only records whose biomarker involves this gene.")
@click.option("--drug", help="Only records with this drug (INN, synonym or brand).")
@click.option("--tumor-type", metavar="CODE", help="Only records covering this OncoTree code.")
@click.option("--jurisdiction", type=click.Choice(["EMA", "FDA"]), help="Only this agency.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@catalog_options
def list_cmd(
    gene: str | None,
    drug: str | None,
    tumor_type: str | None,
    jurisdiction: str | None,
    fmt: str,
    catalogs: tuple[str, ...],
    extend: tuple[str, ...],
) -> None:
    """List indication records (approvals), filtered.

    With --tumor-type, only approvals covering that code are shown (the code, a descendant of
    an approved code, or any solid tumour for tumour-agnostic labels, minus exclusions): the
    on-label uses for that tumour type, each with the reason.

    \b
    Example:
      tumorboard catalog list --tumor-type LUAD --jurisdiction EMA
      tumorboard catalog list --drug Tafinlar --format json
    """
    from tumorboard.catalog import load_catalog
    from tumorboard.catalog.listing import list_indications

    tree = _tree()
    cat = load_catalog(list(catalogs) or None, extend, oncotree=tree)
    rows = list_indications(
        cat, gene=gene, drug=drug, tumor_type=tumor_type, jurisdiction=jurisdiction, oncotree=tree
    )
    if fmt == "json":
        doc = {"catalog": cat.info.model_dump(), "indications": rows}
        echo_json(doc, indent=2)
        return
    echo(f"# {cat.name} {cat.version} sha256 {cat.sha256}")
    echo("\t".join(("id", "jurisdiction", "drugs", "biomarker", "tumour types", "date")))
    for r in rows:
        scope = r["scope"] + (f" [{r['covers']}]" if r.get("covers") else "")
        if r.get("label_status", "on-label") != "on-label":
            scope += f" ({r['label_status']})"
        drugs = " + ".join(r["drugs"])
        cols = (r["id"], r["jurisdiction"], drugs, r["biomarker_name"], scope, r["approval_date"])
        echo("\t".join(printable(str(c)) for c in cols))
    echo(f"# {len(rows)} indication record(s)")


@catalog.command("diff")
@click.argument("old", type=click.Path())
@click.argument("new", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def diff(old: str, new: str, fmt: str) -> None:
    """What changed between two catalogs, by indication, and whom to look at again.

    Indications are added, withdrawn, narrowed or widened (tumour scope, biomarker rule, age,
    grades, requirements to confirm) or changed otherwise; resistance and evidence records and
    biomarker rules are added, withdrawn or changed. A warning says when the content differs
    under the same version.

    \b
    Example:
      tumorboard catalog diff old/catalog.yaml drug_catalog/catalog.yaml
    """
    from tumorboard.catalog import load_catalog
    from tumorboard.catalog.diff import KINDS, diff_catalogs

    tree = _tree()
    result = diff_catalogs(
        load_catalog([old], oncotree=tree), load_catalog([new], oncotree=tree), tree
    )
    if fmt == "json":
        echo_json(result, indent=2)
        return
    o, n = result["old"], result["new"]
    echo(f"# {o['name']} {o['version']} -> {n['name']} {n['version']}")
    for warning in result["warnings"]:
        echo(f"# warning: {warning}")
    for kind in KINDS:
        for item in result[kind]:
            changes = "; ".join(item.get("changes", []))
            extra = f" [{changes}]" if changes else ""
            echo(f"{kind}\t{item['section']}\t{item['id']}{extra}\trevisit: {item['revisit']}")
    counts = ", ".join(f"{len(result[k])} {k}" for k in KINDS)
    echo(f"# {counts}")


@catalog.command("lock")
@click.argument("folder", type=click.Path())
@click.option("--check", is_flag=True, help="Only check the lock; exit 1 if it is not current.")
def lock_cmd(folder: str, check: bool) -> None:
    """Write (or --check) FOLDER/catalog.lock: the catalog's version and content sha256.

    A content change needs a new `version` in catalog.yaml; a test checks the bundled
    catalog's lock. Run it in a checkout after bumping the version.

    \b
    Example:
      tumorboard catalog lock drug_catalog
      tumorboard catalog lock drug_catalog --check
    """
    from tumorboard.catalog.lock import check_lock, write_lock

    if check:
        problems = check_lock(folder)
        if problems:
            raise CatalogError(problems[0], hint="see drug_catalog/README.md, version discipline")
        click.echo(f"OK: {folder}/catalog.lock is current")
        return
    click.echo(f"wrote {write_lock(folder)}")


@catalog.command("import-civic")
@click.argument("civic_tsv", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="Catalog file to write.")
@catalog_options
def import_civic_cmd(
    civic_tsv: str, output: str, catalogs: tuple[str, ...], extend: tuple[str, ...]
) -> None:
    """Turn CIViC predictive evidence into catalog evidence records (an extension file).

    Use the output with --catalog-extend. Drugs missing from the base catalog are added.

    \b
    Example:
      tumorboard catalog import-civic civic_predictive.tsv -o civic.yaml
      tumorboard annotate tumour.vcf -t LUAD --catalog-extend civic.yaml
    """
    import yaml

    from tumorboard.catalog import load_catalog
    from tumorboard.catalog.civic import import_civic

    tree = _tree()
    base = load_catalog(list(catalogs) or None, extend, oncotree=tree)
    result = import_civic(civic_tsv, tree, set(base.drugs))
    header = (
        f"# Imported from CIViC ({printable(civic_tsv)}) by `tumorboard catalog import-civic`; "
        "CC0.\n"
        "# Evidence levels are mapped conservatively (see tumorboard/catalog/civic.py).\n"
    )
    body = yaml.safe_dump(result.document(civic_tsv), sort_keys=False, allow_unicode=True)
    write_text_atomic(output, header + body, inputs=[civic_tsv, *catalogs, *extend])
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(result.skipped.items()))
    echo(
        f"wrote {output}: {len(result.evidence)} evidence records, {len(result.biomarkers)} "
        f"biomarker rules, {len(result.drugs)} new drugs; skipped: {skipped or 'none'}",
        err=True,
    )
