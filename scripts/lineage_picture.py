"""Draws the project's lineage (models, seeds, sources and the edges between them) from dbt's
manifest as an SVG: one column per depth, coloured by layer. `make lineage` runs `dbt parse`
and writes docs/img/lineage.svg."""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from html import escape
from pathlib import Path

BOX_WIDTH = 280
BOX_HEIGHT = 26
COLUMN_GAP = 50
ROW_GAP = 12
MARGIN = 20
COLOURS = {
    "source": "#9e9e9e",
    "seed": "#b39ddb",
    "staging": "#6b8e23",
    "intermediate": "#4682b4",
    "marts": "#cd853f",
    "exports": "#808080",
}


def layer(node: dict) -> str:
    """The node's layer: its resource type for sources and seeds, else its top folder."""
    if node["resource_type"] in ("source", "seed"):
        return node["resource_type"]
    return node["fqn"][1] if len(node["fqn"]) > 2 else "marts"


def label(node: dict) -> str:
    if node["resource_type"] == "source":
        return f"{node['source_name']}.{node['name']}"
    return node["name"]


def read_graph(manifest: dict) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """The models, seeds and sources, and each one's parents among them."""
    nodes = {
        unique_id: node
        for unique_id, node in {**manifest["nodes"], **manifest["sources"]}.items()
        if node["resource_type"] in ("model", "seed", "source")
    }
    parents = {
        unique_id: [
            parent for parent in node.get("depends_on", {}).get("nodes", []) if parent in nodes
        ]
        for unique_id, node in nodes.items()
    }
    return nodes, parents


def depths(parents: dict[str, list[str]]) -> dict[str, int]:
    """Each node's longest path from a node without parents."""
    found: dict[str, int] = {}

    def depth(unique_id: str) -> int:
        if unique_id not in found:
            found[unique_id] = 1 + max((depth(p) for p in parents[unique_id]), default=-1)
        return found[unique_id]

    for unique_id in parents:
        depth(unique_id)
    return found


def svg(nodes: dict[str, dict], parents: dict[str, list[str]]) -> str:
    depth_of = depths(parents)
    columns: dict[int, list[str]] = defaultdict(list)
    for unique_id in sorted(nodes, key=lambda u: (layer(nodes[u]), label(nodes[u]))):
        columns[depth_of[unique_id]].append(unique_id)
    place: dict[str, tuple[int, int]] = {}
    for column, members in columns.items():
        for row, unique_id in enumerate(members):
            x = MARGIN + column * (BOX_WIDTH + COLUMN_GAP)
            y = MARGIN + 30 + row * (BOX_HEIGHT + ROW_GAP)
            place[unique_id] = (x, y)
    width = MARGIN * 2 + len(columns) * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP
    height = MARGIN * 2 + 30 + max(len(m) for m in columns.values()) * (BOX_HEIGHT + ROW_GAP)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    legend_x = MARGIN
    for name, colour in COLOURS.items():
        parts.append(f'<rect x="{legend_x}" y="{MARGIN}" width="14" height="14" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 18}" y="{MARGIN + 11}">{name}</text>')
        legend_x += 110
    for child, child_parents in parents.items():
        child_x, child_y = place[child]
        for parent in child_parents:
            parent_x, parent_y = place[parent]
            start_x, start_y = parent_x + BOX_WIDTH, parent_y + BOX_HEIGHT / 2
            end_x, end_y = child_x, child_y + BOX_HEIGHT / 2
            bend = (end_x - start_x) / 2
            parts.append(
                f'<path d="M{start_x},{start_y} C{start_x + bend},{start_y}'
                f' {end_x - bend},{end_y} {end_x},{end_y}" fill="none" stroke="#888"'
                ' stroke-opacity="0.55"/>'
            )
    for unique_id, (x, y) in place.items():
        node = nodes[unique_id]
        colour = COLOURS.get(layer(node), "#607d8b")
        parts.append(
            f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="4"'
            f' fill="{colour}"/>'
        )
        parts.append(f'<text x="{x + 8}" y="{y + 17}" fill="white">{escape(label(node))}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--manifest", type=Path, default=Path("target/manifest.json"))
    parser.add_argument("--out", type=Path, default=Path("docs/img/lineage.svg"))
    arguments = parser.parse_args()
    nodes, parents = read_graph(json.loads(arguments.manifest.read_text()))
    arguments.out.write_text(svg(nodes, parents))
    print(f"{arguments.out}: {len(nodes)} nodes")


if __name__ == "__main__":
    main()
