"""Reads a Kith export back with networkx (and Python's csv and zipfile) and prints what it
holds as JSON: node and tie counts, the distinct ties (one per pair and direction, as Kith's
analysis merges them), each node's degree over those, and the node attributes.

    python read_export.py FORMAT FILE DIRECTED
"""
import csv
import io
import json
import sys
import tempfile
import zipfile

import networkx as nx


def read(fmt, path, directed):
    extra = {}
    if fmt == "gexf":
        g = nx.read_gexf(path, version="1.3")
        extra["spells"] = sum(1 for _, _, d in g.edges(data=True) if "spells" in d)
    elif fmt == "graphml":
        g = nx.read_graphml(path, force_multigraph=True)
    elif fmt == "pajek":
        with zipfile.ZipFile(path) as z, tempfile.TemporaryDirectory() as tmp:
            extra["files"] = sorted(z.namelist())
            z.extract("network.net", tmp)
            g = nx.read_pajek(tmp + "/network.net")
            clu = z.read("areas.clu").decode().split()
            extra["clu"] = [int(x) for x in clu[2:]]
            extra["cluVertices"] = int(clu[1])
        g = nx.MultiDiGraph(g) if directed else nx.MultiGraph(g)
    elif fmt == "csv":
        g = nx.MultiDiGraph() if directed else nx.MultiGraph()
        with zipfile.ZipFile(path) as z:
            for row in csv.DictReader(io.TextIOWrapper(z.open("nodes.csv"), encoding="utf-8")):
                g.add_node(row.pop("Id"), **row)
            for row in csv.DictReader(io.TextIOWrapper(z.open("edges.csv"), encoding="utf-8")):
                g.add_edge(row.pop("Source"), row.pop("Target"), **row)
    else:
        raise SystemExit("unknown format " + fmt)
    simple = nx.DiGraph(g) if g.is_directed() else nx.Graph(g)
    attrs = {str(n): {k: v for k, v in d.items() if not isinstance(v, (list, dict))} for n, d in g.nodes(data=True)}
    edge_kinds = sorted({d.get("kind") or d.get("Kind") or "" for _, _, d in g.edges(data=True)})
    return {
        "directed": g.is_directed(),
        "nodes": g.number_of_nodes(),
        "ties": g.number_of_edges(),
        "pairs": simple.number_of_edges(),
        "degree": {str(n): d for n, d in simple.degree()},
        "attrs": attrs,
        "kinds": edge_kinds,
        **extra,
    }


if __name__ == "__main__":
    fmt, path, directed = sys.argv[1], sys.argv[2], sys.argv[3] == "true"
    json.dump(read(fmt, path, directed), sys.stdout, default=str)
