"""``tumorboard schema``: JSON Schemas of the case document and of the drug catalog."""

from __future__ import annotations

import json

import click

from tumorboard.cli._base import main

OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(allow_dash=True),
    default="-",
    help="Schema file to write; default: stdout.",
)


@main.group("schema")
def schema() -> None:
    """JSON Schemas of tumorboard's documents.

    \b
    Example:
      tumorboard schema case -o case.schema.json
    """


def _write(output: str, document: dict[str, object]) -> None:
    from tumorboard.outputs import write_text_atomic

    write_text_atomic(output, json.dumps(document, indent=2, sort_keys=True) + "\n")


@schema.command("case")
@OUTPUT
def schema_case(output: str) -> None:
    """JSON Schema of the case document (`--json` sidecar, `annotate --format json`).

    \b
    Example:
      tumorboard schema case -o case.schema.json
    """
    from tumorboard.casefile import case_schema

    _write(output, case_schema())


@schema.command("catalog")
@OUTPUT
def schema_catalog(output: str) -> None:
    """JSON Schema of the drug catalog (the whole catalog as one document).

    \b
    Example:
      tumorboard schema catalog -o catalog.schema.json
    """
    from tumorboard.catalog.schema import CatalogDocument

    _write(output, CatalogDocument.model_json_schema())
