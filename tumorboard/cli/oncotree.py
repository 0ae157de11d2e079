"""``tumorboard oncotree``: look up an OncoTree code (lineage, solid or not, renames) or search."""

from __future__ import annotations

import json
from typing import Any

import click

from tumorboard.cli._base import main
from tumorboard.errors import OncoTreeError
from tumorboard.oncotree import OncoNode, OncoTree, Resolution


def _node_json(node: OncoNode) -> dict[str, Any]:
    return {
        "code": node.code,
        "name": node.name,
        "main_type": node.main_type or None,
        "tissue": node.tissue or None,
        "level": node.level,
    }


def _category(tree: OncoTree, code: str) -> str:
    if tree.is_solid(code):
        return "solid"
    return "haematological" if tree.is_haematological(code) else "unknown"


def code_document(tree: OncoTree, found: Resolution) -> dict[str, Any]:
    """The JSON document for one resolved code."""
    node = found.node
    return {
        "oncotree_version": tree.version,
        "query": found.query,
        **_node_json(node),
        "parent": node.parent,
        "lineage": [_node_json(n) for n in tree.lineage(node.code)],
        "category": _category(tree, node.code),
        "solid": tree.is_solid(node.code),
        "note": found.note,
        "children": [c.code for c in tree.children(node.code)],
    }


def code_text(tree: OncoTree, found: Resolution) -> str:
    """The text report for one resolved code."""
    node = found.node
    path = " > ".join(n.code for n in tree.lineage(node.code))
    lines = [f"{path}  {node.name}"]
    if found.note:
        lines.append(f"note:      {found.note}")
    lines.append(f"main type: {node.main_type or '-'}")
    lines.append(f"tissue:    {node.tissue or '-'} ({_category(tree, node.code)})")
    children = [c.code for c in tree.children(node.code)]
    lines.append(f"children:  {', '.join(children) if children else '-'}")
    lines.append(f"OncoTree:  {tree.version}")
    return "\n".join(lines)


@main.command("oncotree")
@click.argument("code", required=False)
@click.option("--search", "search_text", metavar="TEXT", help="Find nodes by name words instead.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--oncotree-version",
    default=None,
    metavar="VERSION",
    help="Bundled OncoTree version (default: the newest, 2025_10_03).",
)
def oncotree(
    code: str | None, search_text: str | None, fmt: str, oncotree_version: str | None
) -> None:
    """Show an OncoTree code's lineage, whether it is solid or haematological, and renames.

    Codes are case-insensitive; earlier codes (MM, CLL) resolve to today's code with a note.

    \b
    Examples:
      tumorboard oncotree LUAD
      tumorboard oncotree MM --format json
      tumorboard oncotree --search "lung adeno"
    """
    if (code is None) == (search_text is None):
        raise click.UsageError("give either a CODE or --search TEXT")
    tree = OncoTree.load(oncotree_version)
    if code is not None:
        found = tree.lookup(code)
        if fmt == "json":
            click.echo(json.dumps(code_document(tree, found), indent=2))
        else:
            click.echo(code_text(tree, found))
        return
    assert search_text is not None
    hits = tree.search(search_text)
    if not hits:
        raise OncoTreeError(
            f"no OncoTree node matches {search_text!r}",
            hint="try fewer or shorter words, e.g. 'lung' or 'melanoma'",
        )
    if fmt == "json":
        docs = [{**_node_json(n), "category": _category(tree, n.code)} for n in hits]
        click.echo(json.dumps({"oncotree_version": tree.version, "results": docs}, indent=2))
    else:
        for n in hits:
            click.echo(f"{n.code}\t{n.name}\t{n.tissue or '-'}")
