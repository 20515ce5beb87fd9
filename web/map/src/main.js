// Kith's community map: reads the network through /graphql with the bearer token the person
// signed in with (kept in this tab's memory only), draws it with sigma.js over graphology
// (WebGL), lays it out with ForceAtlas2 in a web worker, and keeps a table of the same people
// and ties for screen readers.
import Graph from "graphology";
import Sigma from "sigma";
import FA2Layout from "graphology-layout-forceatlas2/worker";
import forceAtlas2 from "graphology-layout-forceatlas2";
import louvain from "graphology-communities-louvain";
import { createNodeBorderProgram } from "@sigma/node-border";
import { NodeSquareProgram } from "@sigma/node-square";

// Okabe–Ito: a palette people with any common colour-vision deficiency can tell apart.
const PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"];
const ISOLATED = "#D55E00";
const NEARLY = "#E69F00";
const PATH = "#0072B2";
const GAINED = "#009E73";
const LOST = "#D55E00";
// The most a page of a list holds (paging.MaxSize): fewer round trips.
const PAGE = 500;

const SOCIAL = ["KNOWS", "TRUSTS", "GETS_INFO_FROM", "ENCOURAGES"];
const KINDS = [
  ["KNOWS", "knows"], ["TRUSTS", "trusts"], ["GETS_INFO_FROM", "gets news from"],
  ["ENCOURAGES", "encourages"], ["MEMBER_OF", "member of"], ["USES", "uses (place)"], ["SEES", "sees (familiar stranger)"],
];
const KIND_WORDS = Object.fromEntries(KINDS);
const TYPE_WORDS = { Person: "person", Group: "group", Place: "place", FamiliarStranger: "familiar stranger", Organisation: "organisation" };

// state is everything the page knows; the token lives here and nowhere else.
const state = {
  token: "",
  nodes: new Map(), // id -> {id, type, label, area, isAuthority, groups: []}
  ties: [], // {kind, from, to, strength, for, waves: []}
  areas: new Map(), // id -> {id, name, parent}
  waves: [],
  isolated: new Set(),
  nearly: new Set(),
  scores: new Map(),
  positions: new Map(),
  graph: null,
  renderer: null,
  renderer2: null,
  layout: null,
  selected: null,
  path: null, // {nodes: [ids], edges: Set of "a|b"}
  focusIndex: -1,
};

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...kids) => {
  const e = document.createElement(tag);
  Object.assign(e, props);
  for (const k of kids) e.append(k);
  return e;
};
const status = (text, error = false) => {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
};

// gql posts one GraphQL request with the bearer token and returns its data, or throws an
// Error carrying the server's message and code.
// A request over the server's per-token rate limit (429) is sent again after the wait its
// Retry-After names, up to five times.
async function gql(query, variables = {}) {
  let res;
  for (let attempt = 0; ; attempt++) {
    res = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json", Authorization: "Bearer " + state.token },
      body: JSON.stringify({ query, variables }),
      cache: "no-store",
    });
    if (res.status !== 429 || attempt >= 5) break;
    const wait = Number(res.headers.get("Retry-After")) || 1;
    await new Promise((done) => setTimeout(done, wait * 1000));
  }
  const body = await res.json().catch(() => ({}));
  if (body.errors && body.errors.length) {
    const e = new Error(body.errors[0].message);
    e.code = body.errors[0].extensions && body.errors[0].extensions.code;
    throw e;
  }
  if (!res.ok) throw new Error("the server answered " + res.status);
  return body.data;
}

// all pages through a connection at path (a field of the query's data).
async function all(query, field, variables = {}) {
  const out = [];
  let after = null;
  for (;;) {
    const data = await gql(query, { ...variables, after });
    const conn = data[field];
    out.push(...(conn.nodes || conn.edges));
    if (!conn.pageInfo.hasNextPage) return out;
    after = conn.pageInfo.endCursor;
  }
}

// Nodes come from the lists, a page of people at a time; the ties between them from
// mapTies, in one read: nested under each person, ties cost the server a subquery each and
// kept pages of people small (BENCHMARKS.md).
const Q_PEOPLE = `query($after: String) { people(first: ${PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { id label isAuthority area { id } } } }`;
const Q_GROUPS = `query($after: String) { groups(first: ${PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { id label area { id } } } }`;
const Q_PLACES = `query($after: String) { places(first: ${PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { id label area { id } } } }`;
const Q_ORGS = `query($after: String) { organisations(first: ${PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { id label isAuthority } } }`;
const Q_STRANGERS = `query($after: String) { familiarStrangerList(first: ${PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { id label area { id } } } }`;
const Q_AREAS = `query($after: String) { areas(first: ${PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name parent { id } } } }`;
const Q_WAVES = `query($after: String) { waves(first: ${PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { id label } } }`;
const Q_TIES = `{ mapTies(kinds: [KNOWS, TRUSTS, GETS_INFO_FROM, ENCOURAGES, MEMBER_OF, USES, SEES]) { from to kind strength for waves } }`;
const Q_ISOLATES = `query($after: String, $max: Int) { isolates(maxTies: $max, first: ${PAGE}, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } ties } } }`;

// load reads everything the role may see. What a role may not read (a worker's
// organisations, say) is left out rather than failing the map; people are the map.
async function load() {
  status("Loading the network…");
  const optional = async (q, f) => {
    try {
      return await all(q, f);
    } catch (e) {
      if (e.code === "FORBIDDEN") return [];
      throw e;
    }
  };
  // Every list at once: people are the map, so their refusal refuses it.
  const [people, groups, places, orgs, strangers, areas, waves, isolated, nearly, ties] = await Promise.all([
    all(Q_PEOPLE, "people"),
    optional(Q_GROUPS, "groups"), optional(Q_PLACES, "places"), optional(Q_ORGS, "organisations"),
    optional(Q_STRANGERS, "familiarStrangerList"), optional(Q_AREAS, "areas"), optional(Q_WAVES, "waves"),
    all(Q_ISOLATES, "isolates", { max: 0 }).catch(() => []), all(Q_ISOLATES, "isolates", { max: 1 }).catch(() => []),
    gql(Q_TIES).then((d) => d.mapTies),
  ]);
  const add = (n, type) => state.nodes.set(n.id, { id: n.id, type, label: n.label, area: n.area ? n.area.id : "", isAuthority: !!n.isAuthority, groups: [] });
  people.forEach((n) => add(n, "Person"));
  groups.forEach((n) => add(n, "Group"));
  places.forEach((n) => add(n, "Place"));
  orgs.forEach((n) => add(n, "Organisation"));
  strangers.forEach((n) => add(n, "FamiliarStranger"));
  for (const t of ties) {
    state.ties.push({ kind: t.kind, from: t.from, to: t.to, strength: t.strength, for: t.for, waves: t.waves });
    if (t.kind === "MEMBER_OF" && state.nodes.has(t.from) && state.nodes.has(t.to)) state.nodes.get(t.from).groups.push(t.to);
  }
  // A person's first group (colour by group) is the same on every load.
  for (const n of state.nodes.values()) n.groups.sort();
  areas.forEach((a) => state.areas.set(a.id, { id: a.id, name: a.name, parent: a.parent ? a.parent.id : "" }));
  state.waves = waves;
  isolated.forEach((e) => state.isolated.add(e.node.id));
  nearly.forEach((e) => state.nearly.has(e.node.id) || state.isolated.has(e.node.id) || state.nearly.add(e.node.id));
  fillControls();
}

function fillControls() {
  const areaSel = $("area");
  [...state.areas.values()].sort((a, b) => a.name.localeCompare(b.name)).forEach((a) => areaSel.append(el("option", { value: a.id, textContent: a.name })));
  for (const sel of [$("wave"), $("compare")]) state.waves.forEach((w) => sel.append(el("option", { value: w.id, textContent: w.label })));
  const kinds = $("kinds");
  for (const [k, words] of KINDS) {
    const box = el("input", { type: "checkbox", value: k, checked: k !== "USES" && k !== "SEES" });
    box.addEventListener("change", redraw);
    kinds.append(el("label", {}, box, " " + words));
  }
  const list = $("search-list");
  for (const n of state.nodes.values()) if (n.type === "Person") list.append(el("option", { value: n.label }));
}

// inArea reports whether area a is the chosen one or inside it.
function inArea(a, chosen) {
  for (let i = 0; a && i < 8; i++) {
    if (a === chosen) return true;
    a = state.areas.has(a) ? state.areas.get(a).parent : "";
  }
  return false;
}

// visible returns the nodes and ties the filters keep, for a wave (or every wave).
function visible(wave) {
  const area = $("area").value;
  const kinds = new Set([...$("kinds").querySelectorAll("input:checked")].map((b) => b.value));
  const others = $("others").checked;
  const nodes = [...state.nodes.values()].filter((n) => (others || n.type === "Person") && (!area || n.type === "Organisation" || inArea(n.area, area)));
  const keep = new Set(nodes.map((n) => n.id));
  const ties = state.ties.filter((t) => kinds.has(t.kind) && keep.has(t.from) && keep.has(t.to) && (!wave || t.waves.includes(wave)));
  // Things other than people stay when a kept tie reaches them (a group with no member in
  // view would be clutter), organisations only then too.
  const reached = new Set();
  ties.forEach((t) => { reached.add(t.from); reached.add(t.to); });
  return { nodes: nodes.filter((n) => n.type === "Person" || reached.has(n.id)), ties };
}

// seedPosition places a node on a circle by the order it arrived in, so every draw of the
// same data starts the same way.
function seedPosition(i, n) {
  const a = (2 * Math.PI * i) / Math.max(n, 1);
  const r = 100 * Math.sqrt((i + 1) / Math.max(n, 1));
  return { x: r * Math.cos(a), y: r * Math.sin(a) };
}

function buildGraph(v) {
  const g = new Graph({ multi: false, type: "directed" });
  let i = 0;
  const total = state.nodes.size;
  for (const n of state.nodes.values()) {
    if (!state.positions.has(n.id)) state.positions.set(n.id, seedPosition(i, total));
    i++;
  }
  for (const n of v.nodes) {
    const p = state.positions.get(n.id);
    g.addNode(n.id, { x: p.x, y: p.y, label: n.label, kind: n.type });
  }
  for (const t of v.ties) {
    const key = t.from + "|" + t.to;
    if (!g.hasEdge(key)) g.addDirectedEdgeWithKey(key, t.from, t.to, { kinds: [t.kind], size: t.kind === "TRUSTS" || t.strength === "STRONG" ? 1.5 : 0.6 });
    else g.getEdgeAttributes(key).kinds.push(t.kind);
  }
  return g;
}

// style sets colours, sizes and shapes from the chosen colouring and measure.
function style(g) {
  const mode = $("colour").value;
  const legend = [];
  let colourOf;
  if (mode === "community") {
    const ug = new Graph({ type: "undirected" });
    g.forEachNode((n) => ug.addNode(n));
    g.forEachEdge((e, a, s, t) => ug.mergeEdge(s, t));
    const comm = louvain(ug, { rng: mulberry(1) });
    const sizes = new Map();
    Object.values(comm).forEach((c) => sizes.set(c, (sizes.get(c) || 0) + 1));
    const order = [...sizes.keys()].sort((a, b) => sizes.get(b) - sizes.get(a));
    const idx = new Map(order.map((c, i) => [c, Math.min(i, PALETTE.length - 1)]));
    colourOf = (id) => PALETTE[idx.get(comm[id])];
    order.slice(0, PALETTE.length - 1).forEach((c, i) => legend.push([PALETTE[i], `cluster ${i + 1} (${sizes.get(c)})`]));
    if (order.length >= PALETTE.length) legend.push([PALETTE[PALETTE.length - 1], "smaller clusters"]);
  } else if (mode === "group" || mode === "area") {
    const keyOf = mode === "group" ? (id) => (state.nodes.get(id).groups[0] || "") : (id) => state.nodes.get(id).area || "";
    const counts = new Map();
    g.forEachNode((n) => { const k = keyOf(n); if (k) counts.set(k, (counts.get(k) || 0) + 1); });
    const order = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a));
    const idx = new Map(order.map((k, i) => [k, Math.min(i, PALETTE.length - 2)]));
    colourOf = (id) => (idx.has(keyOf(id)) ? PALETTE[idx.get(keyOf(id))] : "#FFFFFF");
    const name = (k) => (mode === "group" ? (state.nodes.get(k) || {}).label : (state.areas.get(k) || {}).name) || k;
    order.slice(0, PALETTE.length - 2).forEach((k, i) => legend.push([PALETTE[i], name(k)]));
    if (order.length > PALETTE.length - 2) legend.push([PALETTE[PALETTE.length - 2], "others"]);
    legend.push(["#FFFFFF", mode === "group" ? "in no group" : "no area recorded"]);
  } else {
    const max = Math.max(1e-9, ...state.scores.values());
    const shades = ["#FFFFFF", "#C6DBEF", "#56B4E9", "#0072B2", "#08306B"];
    colourOf = (id) => shades[Math.min(4, Math.floor(((state.scores.get(id) || 0) / max) * 4.999))];
    ["lowest", "low", "middle", "high", "highest"].forEach((w, i) => legend.push([shades[i], w + " " + $("size").selectedOptions[0].textContent]));
  }
  const maxScore = Math.max(1e-9, ...state.scores.values());
  g.forEachNode((id, a) => {
    const n = state.nodes.get(id);
    const score = state.scores.has(id) ? state.scores.get(id) / maxScore : 0;
    a.size = n.type === "Person" ? 2.5 + 7 * Math.sqrt(score) : 5;
    a.type = n.type === "Person" || n.type === "FamiliarStranger" ? "bordered" : "square";
    a.color = n.type === "Person" ? colourOf(id) : { Group: "#CC79A7", Place: "#009E73", Organisation: "#999999", FamiliarStranger: "#FFFFFF" }[n.type];
    a.borderColor = "#000000";
    a.borderSize = n.type === "FamiliarStranger" ? 0.45 : 0.12;
    if (state.isolated.has(id)) Object.assign(a, { borderColor: ISOLATED, borderSize: 0.5, size: Math.max(a.size, 7) });
    else if (state.nearly.has(id)) Object.assign(a, { borderColor: NEARLY, borderSize: 0.4, size: Math.max(a.size, 6) });
    a.label = n.isAuthority ? n.label + " (authority)" : n.label;
  });
  g.forEachEdge((e, a) => { a.color = "#9a9a9a"; });
  return legend;
}

function drawLegend(colours) {
  const L = $("legend");
  L.replaceChildren();
  const sw = (colour, cls) => { const s = el("span", { className: "sw " + cls }); s.style.background = colour; return s; };
  const row = el("p", {}, el("strong", { textContent: "Colours: " }));
  colours.forEach(([c, words]) => row.append(sw(c, "ci"), words));
  L.append(row);
  const shapes = el("p", {}, el("strong", { textContent: "Shapes: " }),
    sw("#fff", "ci"), "circles are people; bigger means a higher " + $("size").selectedOptions[0].textContent,
    sw("#FFFFFF", "ci"), "a thick black ring is a familiar stranger",
    sw("#CC79A7", "sq"), "group", sw("#009E73", "sq"), "place", sw("#999999", "sq"), "organisation");
  const rings = el("p", {}, el("strong", { textContent: "Rings: " }));
  const ring = (c) => { const s = sw("#fff", "ci"); s.style.border = "3px solid " + c; return s; };
  rings.append(ring(ISOLATED), "isolated: no ties at all", ring(NEARLY), "nearly isolated: one tie");
  if (state.path) rings.append(sw(PATH, "ci"), "the shortest trusted route");
  if ($("compare").value) rings.append(sw(GAINED, "ci"), "tie gained in the later wave", sw(LOST, "ci"), "tie lost since the earlier wave");
  L.append(shapes, rings);
}

// mulberry is a small seeded random generator, so that communities come out the same on
// every draw of the same network.
function mulberry(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const programs = { bordered: createNodeBorderProgram({ borders: [
  { size: { attribute: "borderSize", defaultValue: 0.12 }, color: { attribute: "borderColor" } },
  { size: { fill: true }, color: { attribute: "color" } },
] }), square: NodeSquareProgram };

function reducers(r) {
  r.setSetting("nodeReducer", (id, a) => {
    const out = { ...a };
    if (state.path && state.path.nodes.includes(id)) Object.assign(out, { highlighted: true, borderColor: PATH, borderSize: 0.5, zIndex: 2, forceLabel: true });
    if (id === state.selected) Object.assign(out, { highlighted: true, forceLabel: true });
    return out;
  });
  r.setSetting("edgeReducer", (e, a) => {
    if (state.tiesHidden) return { ...a, hidden: true };
    const out = { ...a };
    if (state.path && state.path.edges.has(e)) Object.assign(out, { color: PATH, size: 4, zIndex: 2 });
    if (a.change === "gained") Object.assign(out, { color: GAINED, size: 1.5 });
    if (a.change === "lost") Object.assign(out, { color: LOST, size: 1.5 });
    return out;
  });
}

function newRenderer(g, container) {
  const r = new Sigma(g, container, {
    nodeProgramClasses: programs, renderEdgeLabels: false, defaultEdgeType: "arrow",
    labelRenderedSizeThreshold: 9, zIndex: true, allowInvalidContainer: true,
    // Past some tens of thousands of ties, drawing them while the map moves costs more
    // frames than seeing them mid-drag is worth.
    hideEdgesOnMove: g.size > 20000,
  });
  reducers(r);
  return r;
}

// pictureGestures makes dragging and wheeling the map move a picture of it: while the
// gesture lasts, the compositor moves and scales the canvases sigma drew last (a CSS
// transform, nothing redrawn), and when it ends the camera is set to where the picture
// went and sigma draws the map once there, the picture held until that frame is drawn.
// Drawing ten thousand nodes at every mouse move holds a software renderer (no GPU) to a
// few frames a second; moving a picture costs the page nothing, so the map follows the
// mouse at the display's rate on any machine.
// dragged() says whether the last press became a drag (its click selects nothing).
function pictureGestures(r, follower) {
  const camera = r.getCamera();
  let view = null; // the picture's scale and offset: a point drawn at p shows at s·p + t
  let press = null; // where the left button went down, then the last position while held
  let dragged = false;
  let wheelTimer = 0;
  const canvases = () => {
    const f = follower();
    // Not the mouse layer: sigma reads the pointer's position against it.
    const drawn = (x) => x.getContainer().querySelectorAll("canvas:not(.sigma-mouse)");
    return [...drawn(r), ...(f ? drawn(f) : [])];
  };
  const show = () => {
    const m = `matrix(${view.s}, 0, 0, ${view.s}, ${view.tx}, ${view.ty})`;
    for (const c of canvases()) Object.assign(c.style, { transformOrigin: "0 0", transform: m });
  };
  const unshow = () => { for (const c of canvases()) c.style.transform = ""; };
  const commit = () => {
    clearTimeout(wheelTimer);
    if (!view || press) return;
    const v = view;
    view = null;
    const { width, height } = r.getDimensions();
    // The point the picture shows at the centre, in the coordinates the camera was in.
    const centre = r.viewportToFramedGraph({ x: (width / 2 - v.tx) / v.s, y: (height / 2 - v.ty) / v.s });
    r.once("afterRender", unshow);
    camera.setState({ x: centre.x, y: centre.y, ratio: camera.getBoundedRatio(camera.getState().ratio / v.s) });
    r.scheduleRender();
  };
  const release = () => { if (!press) return; press = null; commit(); };
  r.on("downNode", ({ event }) => { press = { x: event.x, y: event.y, from: { x: event.x, y: event.y } }; dragged = false; });
  r.on("downStage", ({ event }) => { press = { x: event.x, y: event.y, from: { x: event.x, y: event.y } }; dragged = false; });
  r.on("moveBody", ({ event }) => {
    if (!press) return;
    // The button let go where no mouseup reached the page (outside the window).
    if (!(event.original.buttons & 1)) { release(); return; }
    event.preventSigmaDefault();
    if (!dragged && Math.hypot(event.x - press.from.x, event.y - press.from.y) < 3) return;
    dragged = true;
    view = view || { s: 1, tx: 0, ty: 0 };
    view.tx += event.x - press.x;
    view.ty += event.y - press.y;
    press.x = event.x;
    press.y = event.y;
    show();
  });
  document.addEventListener("mouseup", release);
  r.on("kill", () => { document.removeEventListener("mouseup", release); clearTimeout(wheelTimer); });
  const wheel = ({ event }) => {
    // sigma 3.0.3's wheel coordinates are a copy whose preventSigmaDefault marks the
    // original, which its wheel handler does not read: mark the copy too.
    event.preventSigmaDefault();
    event.sigmaDefaultPrevented = true;
    view = view || { s: 1, tx: 0, ty: 0 };
    // As sigma zooms (its zoomingRatio a notch), held to the camera's bounds.
    const ratio = camera.getState().ratio;
    const s = ratio / camera.getBoundedRatio(ratio / (view.s * Math.pow(1.7, Math.max(-2, Math.min(2, event.delta)))));
    const f = s / view.s;
    view = { s, tx: f * (view.tx - event.x) + event.x, ty: f * (view.ty - event.y) + event.y };
    show();
    clearTimeout(wheelTimer);
    wheelTimer = setTimeout(commit, 200);
  };
  r.on("wheelStage", wheel);
  r.on("wheelNode", wheel);
  return { dragged: () => dragged };
}

// redraw rebuilds the graph from the filters, keeping every node where it was.
function redraw() {
  if (state.layout) { state.layout.kill(); state.layout = null; }
  if (state.graph) state.graph.forEachNode((id, a) => state.positions.set(id, { x: a.x, y: a.y }));
  const v = visible($("wave").value);
  const g = buildGraph(v);
  const legend = style(g);
  const compare = $("compare").value;
  if (state.renderer) state.renderer.kill();
  if (state.renderer2) { state.renderer2.kill(); state.renderer2 = null; }
  state.graph = g;
  // Past 20,000 ties, the ties are drawn once the layout has settled: without a GPU each
  // frame with all of them takes seconds, and the layout draws a frame at every step.
  state.tiesHidden = !state.positionsSettled && g.size > 20000;
  $("map").dataset.tiesShown = !state.tiesHidden;
  state.renderer = newRenderer(g, $("map"));
  const gesture = pictureGestures(state.renderer, () => state.renderer2);
  state.renderer.getCamera().on("updated", (c) => { $("map").dataset.zoom = (1 / c.ratio).toFixed(4); });
  $("map").dataset.zoom = (1 / state.renderer.getCamera().getState().ratio).toFixed(4);
  state.renderer.on("clickNode", ({ node }) => { if (!gesture.dragged()) select(node); });
  state.renderer.on("clickStage", () => { if (!gesture.dragged()) select(null); });
  $("map2").hidden = !compare;
  if (compare) compareWaves(v, compare);
  drawLegend(legend);
  const people = v.nodes.filter((n) => n.type === "Person").length;
  const m = $("map");
  m.dataset.nodes = g.order;
  m.dataset.people = people;
  m.dataset.ties = v.ties.length;
  m.dataset.edges = g.size;
  status(`${people} people, ${g.order - people} groups, places and others, ${v.ties.length} ties.`);
  // The text view (a row per node and per tie) is built once the map is on screen.
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => textView(v), 0)));
  if (!state.positionsSettled) layout(g);
}

// layout runs ForceAtlas2 in a web worker until it has run a while and taken enough steps
// (a busy machine gives the worker fewer), then keeps the positions.
function layout(g) {
  if (g.order === 0) return;
  const settings = forceAtlas2.inferSettings(g);
  state.layout = new FA2Layout(g, { settings: { ...settings, barnesHutOptimize: g.order > 500 } });
  const mine = state.layout;
  let steps = 0;
  g.on("eachNodeAttributesUpdated", () => { steps++; });
  mine.start();
  const began = performance.now();
  const least = Math.min(8000, 1500 + g.order * 2);
  const check = () => {
    if (state.layout !== mine) return; // a redraw replaced it
    const took = performance.now() - began;
    $("map").dataset.layoutSteps = steps;
    if ((took < least || steps < 150) && took < 30000) {
      setTimeout(check, 250);
      return;
    }
    mine.stop();
    state.positionsSettled = true;
    g.forEachNode((id, a) => state.positions.set(id, { x: a.x, y: a.y }));
    if (state.tiesHidden) { state.tiesHidden = false; state.renderer.refresh(); $("map").dataset.tiesShown = true; }
    $("map").dataset.settled = "true";
    if (state.renderer2) state.renderer2.refresh();
  };
  setTimeout(check, 250);
}

// compareWaves draws the second wave beside the first over the same positions: ties only
// in the later wave are gained, ties only in the earlier one lost.
function compareWaves(v, other) {
  const first = $("wave").value;
  const kinds = new Set([...$("kinds").querySelectorAll("input:checked")].map((b) => b.value));
  const keep = new Set(v.nodes.map((n) => n.id));
  const g2 = state.graph.copy();
  g2.clearEdges();
  const inA = new Set(v.ties.filter((t) => !first || t.waves.includes(first)).map((t) => t.from + "|" + t.to));
  const bTies = state.ties.filter((t) => kinds.has(t.kind) && keep.has(t.from) && keep.has(t.to) && t.waves.includes(other));
  const inB = new Set(bTies.map((t) => t.from + "|" + t.to));
  for (const t of bTies) {
    const key = t.from + "|" + t.to;
    if (!g2.hasEdge(key)) g2.addDirectedEdgeWithKey(key, t.from, t.to, { size: 0.6, color: "#9a9a9a", change: inA.has(key) ? "" : "gained" });
  }
  state.graph.forEachEdge((key, a) => { a.change = inB.has(key) ? "" : "lost"; });
  $("map2").dataset.gained = [...inB].filter((k) => !inA.has(k)).length;
  $("map2").dataset.lost = [...inA].filter((k) => !inB.has(k)).length;
  // The second map follows the first's positions: it shares them when the layout settles.
  state.renderer2 = newRenderer(g2, $("map2"));
  const sync = () => { g2.forEachNode((id) => { const a = state.graph.getNodeAttributes(id); g2.mergeNodeAttributes(id, { x: a.x, y: a.y }); }); };
  state.renderer.on("afterRender", () => { sync(); state.renderer2.getCamera().setState(state.renderer.getCamera().getState()); });
  $("map2").setAttribute("aria-label", "The network in the compared wave, same positions");
}

// select opens the side panel for a node: its ties with their kinds, groups, trusted
// contacts, links to authority and the route to a knit-and-natter group.
async function select(id) {
  state.selected = id;
  state.renderer.refresh();
  const panel = $("panel");
  if (!id) { panel.replaceChildren(el("h2", { textContent: "Details" }), el("p", { textContent: "Click a person to see their ties." })); return; }
  const n = state.nodes.get(id);
  const mine = state.ties.filter((t) => t.from === id || t.to === id);
  const name = (x) => (state.nodes.get(x) || { label: "someone not on this map" }).label;
  const ties = el("ul", {}, ...mine.map((t) => el("li", { textContent: t.from === id ? `${KIND_WORDS[t.kind] || t.kind} ${name(t.to)}` : `${name(t.from)} ${KIND_WORDS[t.kind] || t.kind} them` })));
  const extra = [];
  if (state.isolated.has(id)) extra.push(el("p", { textContent: "Isolated: no ties at all." }));
  else if (state.nearly.has(id)) extra.push(el("p", { textContent: "Nearly isolated: one tie." }));
  const groups = n.groups.map((g) => name(g));
  const pathBtn = el("button", { type: "button", id: "path-button", textContent: "Show the shortest trusted path to a knit-and-natter group" });
  pathBtn.addEventListener("click", () => showPath(id));
  const contacts = el("div", { id: "contacts" });
  panel.replaceChildren(el("h2", { textContent: n.label }),
    el("p", { textContent: `${TYPE_WORDS[n.type]}${n.area && state.areas.has(n.area) ? " in " + state.areas.get(n.area).name : ""}${n.isAuthority ? ", authority" : ""}` }),
    ...extra,
    el("h3", { textContent: "Groups" }), el("p", { textContent: groups.length ? groups.join(", ") : "none recorded" }),
    el("h3", { textContent: `Ties (${mine.length})` }), ties, contacts);
  if (n.type !== "Person") return;
  panel.append(pathBtn, el("p", { id: "path-result" }));
  try {
    const d = await gql(`query($id: ID!) { trustedContacts(person: $id, first: 20) { why node { id label } }
      linksToAuthority(person: $id) { reachable links { node { id label } hops } } }`, { id });
    if (state.selected !== id) return;
    contacts.append(el("h3", { textContent: "Trusted contacts" }),
      el("ul", {}, ...d.trustedContacts.map((c) => el("li", { textContent: `${c.node.label}: ${c.why}` }))),
      el("h3", { textContent: "Links to authority" }),
      d.linksToAuthority.reachable
        ? el("ul", {}, ...d.linksToAuthority.links.slice(0, 10).map((l) => el("li", { textContent: `${l.node.label} (${l.hops} ${l.hops === 1 ? "tie" : "ties"} away)` })))
        : el("p", { textContent: "No authority within three ties: worth seeing." }));
  } catch (e) {
    contacts.append(el("p", { textContent: "Contacts: " + e.message }));
  }
}

// showPath asks the server for the shortest trusted route and draws it.
async function showPath(id) {
  const out = $("path-result");
  out.textContent = "Looking for a trusted route…";
  try {
    const d = await gql(`query($id: ID!) { shortestTrustedPath(from: $id, to: { activity: "knit and natter" }) { length steps { node { id label } why } } }`, { id });
    const route = d.shortestTrustedPath;
    if (!route) {
      state.path = null;
      out.textContent = "No trusted route to a knit-and-natter group within four ties.";
      $("map").dataset.path = "";
    } else {
      const ids = route.steps.map((s) => s.node.id);
      const edges = new Set();
      for (let i = 1; i < ids.length; i++) { edges.add(ids[i - 1] + "|" + ids[i]); edges.add(ids[i] + "|" + ids[i - 1]); }
      state.path = { nodes: ids, edges };
      $("map").dataset.path = ids.join(" ");
      $("map").dataset.pathEdges = ids.slice(1).filter((b, i) => state.graph.hasEdge(ids[i] + "|" + b) || state.graph.hasEdge(b + "|" + ids[i])).length;
      out.replaceChildren(el("strong", { textContent: `A trusted route in ${route.length} ${route.length === 1 ? "step" : "steps"}:` }),
        el("ol", { id: "path-steps" }, ...route.steps.map((s) => el("li", { textContent: s.why ? `${s.why}: ${s.node.label}` : s.node.label }))));
    }
    state.renderer.refresh();
    drawLegend(style(state.graph));
    state.renderer.refresh();
  } catch (e) {
    out.textContent = "Route: " + e.message;
  }
}

// degreeScores scores each node by the ties read (what a role that may not run analysis
// sees, and what the map first draws with).
function degreeScores() {
  state.scores = new Map();
  state.ties.forEach((t) => { state.scores.set(t.from, (state.scores.get(t.from) || 0) + 1); state.scores.set(t.to, (state.scores.get(t.to) || 0) + 1); });
}

// restyle recolours and resizes the map in place.
function restyle() {
  drawLegend(style(state.graph));
  state.renderer.refresh();
}

async function loadScores() {
  const measure = $("size").value;
  try {
    const scores = new Map();
    const edges = await all(`query($after: String, $m: CentralityMeasure!) { centrality(measure: $m, first: 500, after: $after) { pageInfo { hasNextPage endCursor } edges { score node { id } } } }`, "centrality", { m: measure });
    edges.forEach((e) => e.node && scores.set(e.node.id, e.score));
    state.scores = scores;
  } catch (e) {
    // A role that may not run analysis sizes by the ties read.
    degreeScores();
  }
}

async function keyPeople() {
  const box = $("key-list");
  const roles = [["CONNECTOR", "Connectors (many ties)"], ["MAVEN", "Mavens (people go to them for advice and news)"], ["SALESPERSON", "Persuaders (they get others to try things)"]];
  try {
    const q = roles.map(([r]) => `${r.toLowerCase()}: keyPeople(role: ${r}, first: 5) { candidates { rank score node { id label } } }`).join("\n");
    const d = await gql(`{ ${q} }`);
    box.replaceChildren(...roles.flatMap(([r, words]) => [el("h3", { textContent: words }),
      el("ol", {}, ...d[r.toLowerCase()].candidates.filter((c) => c.node).map((c) => {
        const b = el("button", { type: "button", className: "link", textContent: `${c.node.label} (score ${c.score.toFixed(2)})` });
        b.addEventListener("click", () => focusNode(c.node.id));
        return el("li", {}, b);
      }))]));
  } catch (e) {
    box.textContent = "Key people are not available to this role (" + e.message + ").";
  }
}

function textView(v) {
  const ties = new Map();
  v.ties.forEach((t) => { ties.set(t.from, (ties.get(t.from) || 0) + 1); ties.set(t.to, (ties.get(t.to) || 0) + 1); });
  const area = (n) => (state.areas.get(n.area) || { name: "" }).name;
  const rows = v.nodes.map((n) => {
    const notes = [state.isolated.has(n.id) ? "isolated" : state.nearly.has(n.id) ? "nearly isolated" : "", n.isAuthority ? "authority" : ""].filter(Boolean).join(", ");
    const open = el("button", { type: "button", className: "link", textContent: n.label });
    open.addEventListener("click", () => focusNode(n.id));
    const tr = el("tr", {}, el("td", {}, open), el("td", { textContent: TYPE_WORDS[n.type] }), el("td", { textContent: area(n) }), el("td", { textContent: String(ties.get(n.id) || 0) }), el("td", { textContent: notes }));
    tr.dataset.id = n.id;
    tr.dataset.kind = n.type;
    return tr;
  });
  $("people-table").tBodies[0].replaceChildren(...rows);
  const label = (id) => state.nodes.get(id).label;
  $("ties-table").tBodies[0].replaceChildren(...v.ties.map((t) => el("tr", {}, el("td", { textContent: label(t.from) }), el("td", { textContent: KIND_WORDS[t.kind] || t.kind }), el("td", { textContent: label(t.to) }))));
}

// focusNode centres the camera on a node and opens its panel.
function focusNode(id) {
  if (!state.graph || !state.graph.hasNode(id)) return;
  const d = state.renderer.getNodeDisplayData(id);
  if (d) state.renderer.getCamera().animate({ x: d.x, y: d.y, ratio: 0.4 }, { duration: 300 });
  select(id);
}

// Keyboard: arrows step through the people in the order of the table, Enter opens one,
// + and - zoom, P toggles presentation mode, Escape leaves it.
function keyboard() {
  $("map").addEventListener("keydown", (ev) => {
    const ids = state.graph ? state.graph.nodes() : [];
    if (!ids.length) return;
    const cam = state.renderer.getCamera();
    if (ev.key === "ArrowRight" || ev.key === "ArrowDown") state.focusIndex = (state.focusIndex + 1) % ids.length;
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") state.focusIndex = (state.focusIndex - 1 + ids.length) % ids.length;
    else if (ev.key === "Enter" && state.focusIndex >= 0) { focusNode(ids[state.focusIndex]); ev.preventDefault(); return; }
    else if (ev.key === "+" || ev.key === "=") { cam.animatedZoom({ duration: 200 }); return; }
    else if (ev.key === "-") { cam.animatedUnzoom({ duration: 200 }); return; }
    else return;
    ev.preventDefault();
    const id = ids[state.focusIndex];
    state.selected = id;
    state.renderer.refresh();
    status("On the map: " + state.graph.getNodeAttribute(id, "label") + " (Enter for details)");
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement) return;
    if (ev.key === "p" || ev.key === "P") togglePresentation();
    if (ev.key === "Escape" && document.body.classList.contains("presenting")) togglePresentation();
  });
}

function togglePresentation() {
  const on = document.body.classList.toggle("presenting");
  if (on && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
  if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
  setTimeout(() => state.renderer && state.renderer.refresh(), 50);
}

// exportSVG writes what the map shows as an SVG poster, from the renderer's own positions.
function exportSVG() {
  const r = state.renderer;
  const { width, height } = r.getDimensions();
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="#fff"/>`];
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  state.graph.forEachEdge((e, a, s, t) => {
    const p = r.graphToViewport(state.graph.getNodeAttributes(s));
    const q = r.graphToViewport(state.graph.getNodeAttributes(t));
    const on = state.path && state.path.edges.has(e);
    parts.push(`<line x1="${p.x.toFixed(1)}" y1="${p.y.toFixed(1)}" x2="${q.x.toFixed(1)}" y2="${q.y.toFixed(1)}" stroke="${on ? PATH : "#9a9a9a"}" stroke-width="${on ? 3 : 0.6}"/>`);
  });
  state.graph.forEachNode((id, a) => {
    const p = r.graphToViewport(a);
    const d = r.getNodeDisplayData(id);
    const size = d ? r.scaleSize(d.size) : a.size;
    const stroke = `stroke="${a.borderColor || "#000"}" stroke-width="${Math.max(1, (a.borderSize || 0.1) * size)}"`;
    parts.push(a.type === "square"
      ? `<rect x="${(p.x - size).toFixed(1)}" y="${(p.y - size).toFixed(1)}" width="${(2 * size).toFixed(1)}" height="${(2 * size).toFixed(1)}" fill="${a.color}" ${stroke}><title>${esc(a.label)}</title></rect>`
      : `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${size.toFixed(1)}" fill="${a.color}" ${stroke}><title>${esc(a.label)}</title></circle>`);
  });
  parts.push("</svg>");
  download(new Blob([parts.join("\n")], { type: "image/svg+xml" }), "kith-map.svg");
}

// exportPNG draws the same SVG onto a canvas at twice the size, for printing.
function exportPNG() {
  exportSVGBlob((blob) => {
    const img = new Image();
    const url = URL.createObjectURL(blob);
    img.onload = () => {
      const c = el("canvas", { width: img.width * 2, height: img.height * 2 });
      const ctx = c.getContext("2d");
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0);
      URL.revokeObjectURL(url);
      c.toBlob((png) => download(png, "kith-map.png"), "image/png");
    };
    img.src = url;
  });
}

function exportSVGBlob(then) {
  const saved = download;
  download = (blob) => { download = saved; then(blob); };
  exportSVG();
}

let download = (blob, name) => {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
};

async function start(token, who) {
  state.token = token;
  // Marks for measuring the map (BENCHMARKS.md): sign-in, data read, first frame drawn.
  performance.mark("kith-map-signin");
  try {
    await load();
    performance.mark("kith-map-loaded");
  } catch (e) {
    state.token = "";
    status(e.code === "FORBIDDEN" ? "This role may not see the map: " + e.message : "Could not load the map: " + e.message, true);
    document.body.dataset.state = "refused";
    return;
  }
  $("signin").hidden = true;
  $("app").hidden = false;
  $("who").textContent = who ? "Signed in as " + who : "Signed in";
  // Draw at once, sized by the ties read; then size by the chosen centrality.
  degreeScores();
  redraw();
  // sigma draws when it is made; the browser shows that draw when it commits its next
  // frame (without a GPU, reading the WebGL canvases back, which waits for the draw to
  // finish), so the frame after that starts once the map is on screen.
  requestAnimationFrame(() => requestAnimationFrame(() => performance.mark("kith-map-drawn")));
  await loadScores();
  restyle();
  keyPeople();
  document.body.dataset.state = "drawn";
}

async function devRoles() {
  try {
    const res = await fetch("/dev/tokens", { cache: "no-store" });
    if (!res.ok) return;
    const { tokens } = await res.json();
    const list = $("dev-role-list");
    for (const t of tokens) {
      const b = el("button", { type: "button", textContent: `${t.role}: ${t.about}` });
      b.dataset.role = t.role;
      b.addEventListener("click", () => start(t.token, t.role));
      list.append(b);
    }
    $("dev-roles").hidden = false;
  } catch {
    // No development sign-in here: paste a token.
  }
}

function main() {
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const t = $("token").value.trim();
    $("token").value = "";
    if (t) start(t, "");
  });
  $("signout").addEventListener("click", () => location.reload());
  for (const id of ["area", "wave", "colour", "compare", "others"]) $(id).addEventListener("change", () => { state.path = null; redraw(); });
  $("size").addEventListener("change", async () => { await loadScores(); restyle(); });
  $("search").addEventListener("change", () => {
    const q = $("search").value.trim().toLowerCase();
    const hit = [...state.nodes.values()].find((n) => n.label.toLowerCase() === q) || [...state.nodes.values()].find((n) => n.label.toLowerCase().includes(q));
    if (hit) focusNode(hit.id); else status("No one called that on this map.");
  });
  $("present").addEventListener("click", togglePresentation);
  $("export-svg").addEventListener("click", exportSVG);
  $("export-png").addEventListener("click", exportPNG);
  keyboard();
  devRoles();
}

main();
