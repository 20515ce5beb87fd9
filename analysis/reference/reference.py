#!/usr/bin/env python3
"""Export the test networks and compute reference values with networkx.

Run from the repository root (or anywhere):

    python3 analysis/reference/reference.py

It writes, for each network NAME, into analysis/testdata/:

    NAME_nodes.csv   id plus node attributes, one node per row, in node order
    NAME_edges.csv   source,target,weight (one row per tie)
    NAME.json        reference values computed here with networkx

The Go tests in package analysis read those files and compare their own
results with the values below to 1e-4. Every call below uses networkx's
default definition of the measure; where we pass an argument it is to name
the weight attribute or to tighten the convergence tolerance of an
iterative method (so that the reference is the converged value, not
networkx's default 1e-6 stopping point).
"""

import csv
import json
import math
import os
import random
import sys

import networkx as nx
from networkx.algorithms import bipartite
from networkx.algorithms.centrality.betweenness import (
    _accumulate_basic,
    _rescale,
    _single_source_shortest_path_basic,
)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata")


def clean(d):
    """Map node -> value with string keys; NaN becomes None (JSON null)."""
    out = {}
    for k, v in d.items():
        v = float(v)
        out[str(k)] = None if math.isnan(v) or math.isinf(v) else v
    return out


def write_graph(name, G, attrs=()):
    with open(os.path.join(OUT, name + "_nodes.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", *attrs])
        for n in G.nodes():
            w.writerow([str(n), *[G.nodes[n].get(a, "") for a in attrs]])
    with open(os.path.join(OUT, name + "_edges.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["source", "target", "weight"])
        for u, v, d in G.edges(data=True):
            wt = d.get("weight", 1)
            w.writerow([str(u), str(v), repr(float(wt)) if wt != int(wt) else int(wt)])


def brokerage(G, group):
    """Gould-Fernandez brokerage by brute force over every two-path a->b->c.

    Undirected graphs are read as directed with both directions of each tie.
    A two-path counts when a != c, a->c is not a tie and all three nodes have
    a group.
    """
    D = G if G.is_directed() else G.to_directed()
    roles = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")
    out = {str(n): {r: 0 for r in roles} for n in D}
    for b in D:
        gb = group.get(b)
        for a in D.predecessors(b):
            for c in D.successors(b):
                if a == c or a == b or c == b or D.has_edge(a, c):
                    continue
                ga, gc = group.get(a), group.get(c)
                if ga is None or gb is None or gc is None:
                    continue
                if ga == gb == gc:
                    r = "coordinator"
                elif ga == gc != gb:
                    r = "itinerant"
                elif ga == gb != gc:
                    r = "representative"
                elif ga != gb == gc:
                    r = "gatekeeper"
                else:
                    r = "liaison"
                out[str(b)][r] += 1
    return out


def ei(G, group):
    """Krackhardt-Stern E-I index per node, per group and for the network.

    E-I = (E - I) / (E + I), 0 when E + I = 0. A tie counts when both ends
    have a group; each tie counts once for each end (and once for the network).
    """
    def idx(e, i):
        return 0.0 if e + i == 0 else (e - i) / (e + i)

    node = {str(n): [0, 0] for n in G}
    grp = {g: [0, 0] for g in set(group.values())}
    net = [0, 0]
    for u, v in G.edges():
        if u == v or group.get(u) is None or group.get(v) is None:
            continue
        k = 0 if group[u] != group[v] else 1  # 0 external, 1 internal
        node[str(u)][k] += 1
        node[str(v)][k] += 1
        net[k] += 1
        if k == 1:
            grp[group[u]][1] += 1
        else:
            grp[group[u]][0] += 1
            grp[group[v]][0] += 1
    return {
        "nodes": {n: {"external": e, "internal": i, "index": idx(e, i)} for n, (e, i) in node.items()},
        "groups": {g: {"external": e, "internal": i, "index": idx(e, i)} for g, (e, i) in grp.items()},
        "network": {"external": net[0], "internal": net[1], "index": idx(*net)},
    }


def effective_size(G, weight=None):
    """Burt's effective size as networkx documents it (and computes it when
    given nodes=...): redundancy of v for u is sum_w p_uw * m_vw / max_x m_vx.

    networkx 3.6's fast path for nodes=None divides m_vw by max_x m_wx instead
    (a broadcasting slip in its sparse-matrix code), which changes weighted
    results; its per-node path gives NaN to a directed node with in-ties but
    no out-ties. This helper uses networkx's own normalized_mutual_weight over
    all neighbours in either direction, so it agrees with the per-node path
    wherever that is defined.
    """
    nmw = nx.algorithms.structuralholes.normalized_mutual_weight
    out = {}
    for u in G:
        nbrs = set(nx.all_neighbors(G, u)) - {u}
        if not nbrs:
            out[u] = float("nan")
            continue
        out[u] = sum(
            1 - sum(nmw(G, u, w, weight=weight) * nmw(G, v, w, norm=max, weight=weight) for w in nbrs)
            for v in nbrs
        )
    return out


def sampled_betweenness(G, sources):
    """networkx's sampled betweenness estimate for an explicit list of sources."""
    b = dict.fromkeys(G, 0.0)
    for s in sources:
        S, P, sigma, _ = _single_source_shortest_path_basic(G, s)
        b, _ = _accumulate_basic(b, S, P, sigma, s)
    return _rescale(b, len(G), normalized=True, directed=G.is_directed(),
                    endpoints=False, sampled_nodes=sources)


def measures(G, weighted):
    """Reference values for one network; weighted adds the *_weight variants."""
    m = {}
    s = {}
    m["degree"] = nx.degree_centrality(G)
    if G.is_directed():
        m["in_degree"] = nx.in_degree_centrality(G)
        m["out_degree"] = nx.out_degree_centrality(G)
    m["betweenness"] = nx.betweenness_centrality(G)
    m["closeness"] = nx.closeness_centrality(G)
    m["closeness_out"] = nx.closeness_centrality(G.reverse()) if G.is_directed() else m["closeness"]
    m["harmonic"] = nx.harmonic_centrality(G)
    m["harmonic_out"] = nx.harmonic_centrality(G.reverse()) if G.is_directed() else m["harmonic"]
    m["eigenvector"] = nx.eigenvector_centrality(G, max_iter=100000, tol=1e-13)
    m["pagerank"] = nx.pagerank(G, weight=None, max_iter=100000, tol=1e-13)
    m["clustering"] = nx.clustering(G)
    m["constraint"] = nx.constraint(G)
    m["effective_size"] = effective_size(G)
    if not G.is_directed():
        borgatti = nx.effective_size(G)
        for n, x in m["effective_size"].items():
            assert math.isnan(x) and math.isnan(borgatti[n]) or abs(x - borgatti[n]) < 1e-9, n
    m["core_number"] = nx.core_number(G)
    if weighted:
        H = G.copy()
        for u, v, d in H.edges(data=True):
            d["distance"] = 1.0 / d["weight"]
        m["betweenness_weight"] = nx.betweenness_centrality(G, weight="weight")
        m["betweenness_inverse"] = nx.betweenness_centrality(H, weight="distance")
        m["closeness_weight"] = nx.closeness_centrality(G, distance="weight")
        m["closeness_inverse"] = nx.closeness_centrality(H, distance="distance")
        m["harmonic_weight"] = nx.harmonic_centrality(G, distance="weight")
        m["harmonic_inverse"] = nx.harmonic_centrality(H, distance="distance")
        m["eigenvector_weight"] = nx.eigenvector_centrality(G, weight="weight", max_iter=100000, tol=1e-13)
        m["pagerank_weight"] = nx.pagerank(G, weight="weight", max_iter=100000, tol=1e-13)
        m["clustering_weight"] = nx.clustering(G, weight="weight")
        m["constraint_weight"] = nx.constraint(G, weight="weight")
        m["effective_size_weight"] = effective_size(G, weight="weight")
        per_node = nx.effective_size(G, nodes=list(G), weight="weight")
        for n, x in per_node.items():
            assert math.isnan(x) or abs(x - m["effective_size_weight"][n]) < 1e-9, n
        s["average_clustering_weight"] = nx.average_clustering(G, weight="weight")
    s["density"] = nx.density(G)
    s["average_clustering"] = nx.average_clustering(G)
    U = G.to_undirected() if G.is_directed() else G
    s["transitivity"] = nx.transitivity(U)
    if G.is_directed():
        s["components"] = nx.number_weakly_connected_components(G)
        s["reciprocity"] = nx.overall_reciprocity(G)
    else:
        s["components"] = nx.number_connected_components(G)
    return {k: clean(v) for k, v in m.items()}, s


def undirected_sum(G):
    """Undirected projection with reciprocal ties' weights summed (networkx's
    to_undirected keeps one of the two weights instead)."""
    if not G.is_directed():
        return G
    U = nx.Graph()
    U.add_nodes_from(G.nodes(data=True))
    for u, v, d in G.edges(data=True):
        w = d.get("weight", 1)
        if U.has_edge(u, v):
            U[u][v]["weight"] += w
        else:
            U.add_edge(u, v, weight=w)
    return U


def louvain_ref(G, seeds=range(10)):
    out = {}
    for seed in seeds:
        c = nx.community.louvain_communities(G, seed=seed)
        out[str(seed)] = nx.community.modularity(G, c)
    return out


def dump(name, G, weighted=False, group_attr=None, extra=None):
    m, s = measures(G, weighted)
    doc = {
        "name": name,
        "directed": G.is_directed(),
        "weighted": weighted,
        "nodes": G.number_of_nodes(),
        "ties": G.number_of_edges(),
        "networkx": nx.__version__,
        "measures": m,
        "scalars": s,
    }
    if group_attr:
        group = {n: d[group_attr] for n, d in G.nodes(data=True) if d.get(group_attr, "") != ""}
        doc["group_attr"] = group_attr
        doc["brokerage"] = brokerage(G, group)
        doc["ei"] = ei(G, group)
        U = undirected_sum(G)
        parts = {}
        for n, g in group.items():
            parts.setdefault(g, set()).add(n)
        ungrouped = [n for n in G if n not in group]
        doc["group_modularity"] = nx.community.modularity(U, list(parts.values()) + [{n} for n in ungrouped])
    srcs = sorted(G.nodes(), key=str)[: max(2, G.number_of_nodes() // 3)]
    doc["sampled_betweenness"] = {
        "sources": [str(x) for x in srcs],
        "values": clean(sampled_betweenness(G, srcs)),
    }
    if extra:
        doc.update(extra)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)

    # Zachary's karate club, unweighted (recent networkx adds interaction counts as
    # "weight"; the classic 78-edge network is binary).
    K = nx.Graph()
    KK = nx.karate_club_graph()
    K.add_nodes_from((str(n), d) for n, d in KK.nodes(data=True))
    K.add_edges_from((str(u), str(v)) for u, v in KK.edges())
    write_graph("karate", K, attrs=("club",))
    dump("karate", K, group_attr="club", extra={"louvain": louvain_ref(K), "best_known_modularity": 0.4198})

    # Padgett's Florentine families, marriage ties; networkx omits Pucci, an isolate.
    F = nx.Graph()
    F.add_nodes_from(sorted(nx.florentine_families_graph().nodes()))
    F.add_edges_from(nx.florentine_families_graph().edges())
    F.add_node("Pucci")
    write_graph("florentine", F)
    dump("florentine", F)

    # Davis Southern Women, projected onto the women, weighted by co-attendance.
    D = nx.davis_southern_women_graph()
    women = D.graph["top"]
    write_graph("davis_bipartite", D, attrs=("bipartite",))
    W = bipartite.weighted_projected_graph(D, women)
    write_graph("davis", W)
    dump("davis", W, weighted=True)

    # A synthetic directed network (networkx gnp_random_graph, seeded) with
    # integer weights, a three-valued group attribute, an isolate and a sink,
    # to check the directed variants. Not real data.
    rng = random.Random(20240601)
    R0 = nx.gnp_random_graph(30, 0.09, seed=11, directed=True)
    R = nx.DiGraph()
    for n in R0.nodes():
        R.add_node("n%02d" % n, group=rng.choice(["a", "b", "c"]) if n % 10 != 9 else "")
    for u, v in R0.edges():
        R.add_edge("n%02d" % u, "n%02d" % v, weight=rng.randint(1, 5))
    R.add_node("n30", group="a")  # isolate
    R.add_edge("n03", "n31", weight=2)  # n31: a sink with no group attribute
    R.nodes["n31"]["group"] = ""
    write_graph("directed", R, attrs=("group",))
    dump("directed", R, weighted=True, group_attr="group")

    print("wrote reference values with networkx", nx.__version__, "to", os.path.normpath(OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
