package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"kith/cypher"
	"kith/internal/neo4jtest"
	"kith/nodeid"
)

// This file checks the questions against a reference written here, independently of their
// Cypher: breadth-first searches over the ties of random networks that hold every tie kind,
// both directions, mutual and parallel ties, strengths, purposes and two waves. Each seed
// builds one network and asks every question of it, with arguments at their edges.

// refTie is one stored tie, as the reference sees it.
type refTie struct {
	kind, from, to, strength, purpose, wave string
	// waves are every wave that recorded the tie (wave among them, when set): the store
	// keeps one relationship per kind, ends and meaning, whatever waves recorded it.
	waves []string
}

// inWave reports whether the tie was recorded in wave w.
func (t refTie) inWave(w string) bool { return slices.Contains(t.waves, w) }

// refNet is a random network and what the reference knows of it.
type refNet struct {
	label     map[string]string // id -> label
	authority map[string]bool
	activity  map[string]string // group id -> activity
	interest  map[string]string // interest id -> name
	people    []string
	ties      []refTie
	waves     []string
	// respondents are the people each wave surveyed (an observation each).
	respondents map[string][]string
}

func (n *refNet) byLabel(label string) []string {
	var out []string
	for id, l := range n.label {
		if l == label {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// newRefNet makes a network from seed: people, groups, places, organisations, familiar
// strangers, interests, areas and waves, and random ties of every kind between them.
func newRefNet(seed uint64) (*refNet, []cypher.LoadNode, []cypher.LoadTie) {
	rng := rand.New(rand.NewPCG(seed, 99))
	n := &refNet{label: map[string]string{}, authority: map[string]bool{}, activity: map[string]string{}, interest: map[string]string{}}
	var nodes []cypher.LoadNode
	add := func(label string, i int, props map[string]any) string {
		id := nodeid.FromKey(label, fmt.Sprintf("ref-%d-%d", seed, i))
		n.label[id] = label
		props["externalId"] = fmt.Sprintf("ref-%d-%s-%d", seed, label, i)
		nodes = append(nodes, cypher.LoadNode{Label: label, ID: id, Props: props})
		return id
	}
	activities := []string{"knit and natter", "darts", "walking"}
	var groups, places, orgs, strangers, interests, areas []string
	for i := 0; i < 2; i++ {
		areas = append(areas, add("Area", i, map[string]any{"name": fmt.Sprint("Area ", i)}))
		n.waves = append(n.waves, add("Wave", i, map[string]any{"name": fmt.Sprint("Wave ", i)}))
	}
	for i := 0; i < 4; i++ {
		id := add("Group", i, map[string]any{"name": fmt.Sprint("Group ", i), "activity": activities[i%3]})
		n.activity[id] = activities[i%3]
		groups = append(groups, id)
	}
	for i := 0; i < 3; i++ {
		places = append(places, add("Place", i, map[string]any{"name": fmt.Sprint("Place ", i)}))
		auth := i == 0
		id := add("Organisation", i, map[string]any{"name": fmt.Sprint("Org ", i), "isAuthority": auth})
		n.authority[id] = auth
		orgs = append(orgs, id)
		name := []string{"gardening", "cricket", "the internet"}[i]
		iid := add("Interest", i, map[string]any{"name": name})
		n.interest[iid] = name
		interests = append(interests, iid)
	}
	for i := 0; i < 2; i++ {
		strangers = append(strangers, add("FamiliarStranger", i, map[string]any{"role": []string{"postman", "quizmaster"}[i]}))
	}
	people := 24 + rng.IntN(16)
	for i := 0; i < people; i++ {
		auth := rng.IntN(12) == 0
		id := add("Person", i, map[string]any{"displayName": fmt.Sprint("P", i), "isAuthority": auth})
		n.authority[id] = auth
		n.people = append(n.people, id)
	}
	pick := func(ids []string) string { return ids[rng.IntN(len(ids))] }
	wave := func() string {
		if rng.IntN(3) == 0 {
			return ""
		}
		return pick(n.waves)
	}
	seen := map[string]int{}
	tie := func(t refTie) {
		if t.from == t.to {
			return
		}
		// The store keeps one tie per kind, ends and meaning (purpose, strength); recorded
		// again, in another wave or the same, it gains the wave.
		key := t.kind + "|" + t.from + "|" + t.to + "|" + t.strength + "|" + t.purpose
		i, ok := seen[key]
		if !ok {
			i = len(n.ties)
			seen[key] = i
			n.ties = append(n.ties, t)
			n.ties[i].waves = nil
		}
		if t.wave != "" && !n.ties[i].inWave(t.wave) {
			n.ties[i].waves = append(n.ties[i].waves, t.wave)
		}
	}
	for _, p := range n.people {
		tie(refTie{kind: "LIVES_IN", from: p, to: pick(areas)})
	}
	for _, x := range append(append(append([]string{}, groups...), places...), append(orgs, strangers...)...) {
		if rng.IntN(2) == 0 {
			tie(refTie{kind: "IN", from: x, to: pick(areas)})
		}
	}
	ties := people + rng.IntN(people*2)
	for i := 0; i < ties; i++ {
		a, b := pick(n.people), pick(n.people)
		w := wave()
		switch k := rng.IntN(13); k {
		case 0, 1, 2:
			s := []string{"STRONG", "WEAK"}[rng.IntN(2)]
			tie(refTie{kind: "KNOWS", from: a, to: b, strength: s, wave: w})
			if rng.IntN(4) == 0 { // a mutual tie
				tie(refTie{kind: "KNOWS", from: b, to: a, strength: s, wave: w})
			}
			if rng.IntN(5) == 0 { // the same tie in the other wave
				tie(refTie{kind: "KNOWS", from: a, to: b, strength: s, wave: pick(n.waves)})
			}
		case 3, 4:
			purpose := []string{"HELP", "ADVICE", "SUPPORT"}[rng.IntN(3)]
			to := b
			if rng.IntN(5) == 0 {
				to = pick(append(orgs, strangers...))
			}
			tie(refTie{kind: "TRUSTS", from: a, to: to, purpose: purpose, wave: w})
		case 5, 6:
			to := b
			if rng.IntN(2) == 0 {
				to = pick(append(append(append([]string{}, places...), groups...), append(orgs, strangers...)...))
			}
			tie(refTie{kind: "GETS_INFO_FROM", from: a, to: to, wave: w})
		case 7:
			tie(refTie{kind: "ENCOURAGES", from: a, to: b, wave: w})
		case 8:
			tie(refTie{kind: "MEMBER_OF", from: a, to: pick(groups), wave: w})
		case 9:
			tie(refTie{kind: "USES", from: a, to: pick(places), wave: w})
		case 10:
			tie(refTie{kind: "SEES", from: pick(strangers), to: a, wave: w})
		case 11:
			tie(refTie{kind: "WORKS_FOR", from: a, to: pick(orgs), wave: w})
		case 12:
			tie(refTie{kind: "INTERESTED_IN", from: a, to: pick(interests), wave: w})
		}
	}
	// Each wave surveyed about two people in three; the others were not asked.
	n.respondents = map[string][]string{}
	for _, w := range n.waves {
		for _, p := range n.people {
			if rng.IntN(3) != 0 {
				n.respondents[w] = append(n.respondents[w], p)
			}
		}
	}
	var loads []cypher.LoadTie
	for _, t := range n.ties {
		props := map[string]any{}
		if t.strength != "" {
			props["strength"] = t.strength
		}
		if t.purpose != "" {
			props["for"] = t.purpose
		}
		if len(t.waves) > 0 {
			props["waves"] = t.waves
		}
		loads = append(loads, cypher.LoadTie{Kind: t.kind, From: t.from, To: t.to, Props: props})
	}
	return n, nodes, loads
}

// step is a move the reference may make along one tie.
type step struct {
	to  string
	tie int // index in refNet.ties
}

// graph returns, for each node, the moves along the ties that keep(t, forward) accepts:
// forward is whether the tie is walked from its start.
func (n *refNet) graph(keep func(t refTie, forward bool) bool) map[string][]step {
	g := map[string][]step{}
	for i, t := range n.ties {
		if keep(t, true) {
			g[t.from] = append(g[t.from], step{t.to, i})
		}
		if keep(t, false) {
			g[t.to] = append(g[t.to], step{t.from, i})
		}
	}
	return g
}

// bfs returns the distance to every node within maxHops of the sources, and the number of
// shortest walks to it counted tie by tie (parallel ties make distinct routes). pass says
// whether a node may be walked through (the sources always may).
func bfs(g map[string][]step, sources []string, maxHops int, pass func(id string) bool) (map[string]int, map[string]int) {
	dist, count := map[string]int{}, map[string]int{}
	frontier := []string{}
	for _, s := range sources {
		dist[s], count[s] = 0, 1
		frontier = append(frontier, s)
	}
	for d := 1; d <= maxHops && len(frontier) > 0; d++ {
		var next []string
		for _, u := range frontier {
			if d > 1 && !pass(u) {
				continue
			}
			for _, st := range g[u] {
				if old, ok := dist[st.to]; ok && old < d {
					continue
				}
				if _, ok := dist[st.to]; !ok {
					dist[st.to] = d
					next = append(next, st.to)
				}
				count[st.to] += count[u]
			}
		}
		frontier = next
	}
	return dist, count
}

func anyNode(string) bool { return true }

// routeKeep is the tie filter of a route spec between people.
func (n *refNet) routeKeep(kinds []string, strong bool, direction string, labels ...string) func(refTie, bool) bool {
	return func(t refTie, forward bool) bool {
		if !slices.Contains(kinds, t.kind) || !slices.Contains(labels, n.label[t.from]) || !slices.Contains(labels, n.label[t.to]) {
			return false
		}
		if strong && t.kind == "KNOWS" && t.strength != "STRONG" {
			return false
		}
		return direction == "BOTH" || (direction == "OUT") == forward
	}
}

// TestQuestionsMatchReference compares every question with the reference over random
// networks: route lengths and counts, reachable authorities and their links, isolate sets
// per measure, contact sets, ego networks and reach, hundreds of cases per run.
func TestQuestionsMatchReference(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	cases := 0
	for seed := uint64(1); seed <= 3; seed++ {
		if seed > 1 {
			neo4jtest.Reset(t, e.driver)
		}
		n, nodes, ties := newRefNet(seed)
		if err := e.store.Load(ctx, nodes, ties, nil); err != nil {
			t.Fatal(err)
		}
		var obs []cypher.ObservationInput
		for _, w := range n.waves {
			for _, p := range n.respondents[w] {
				obs = append(obs, cypher.ObservationInput{PersonID: p, WaveID: w, Method: "DOORSTEP"})
			}
		}
		if _, err := e.store.RecordObservations(ctx, cypher.Scope{}, obs); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, 7))
		cases += checkRoutes(t, e, n, rng)
		cases += checkAuthority(t, e, n, rng)
		cases += checkIsolates(t, e, n)
		cases += checkContacts(t, e, n)
		cases += checkEgo(t, e, n, rng)
		cases += checkReach(t, e, n, rng)
	}
	t.Logf("%d cases compared with the reference", cases)

	// The arguments' edges outside their ranges are refused, naming the argument.
	n, _, _ := newRefNet(3)
	p := map[string]any{"p": n.people[0]}
	for _, c := range []struct{ query, field string }{
		{`shortestTrustedPath(from: $p, to: {activity: "darts"}, options: {maxHops: 0}) { length }`, "options.maxHops"},
		{`shortestTrustedPath(from: $p, to: {activity: "darts"}, options: {maxHops: 7}) { length }`, "options.maxHops"},
		{`shortestTrustedPath(from: $p, to: {activity: "darts"}, options: {kinds: []}) { length }`, "options.kinds"},
		{`trustedRoutes(from: $p, to: {activity: "darts"}, k: 0) { length }`, "k"},
		{`trustedRoutes(from: $p, to: {activity: "darts"}, k: 11) { length }`, "k"},
		{`linksToAuthority(person: $p, maxHops: 0) { reachable }`, "maxHops"},
		{`linksToAuthority(person: $p, options: {kinds: []}) { reachable }`, "options.kinds"},
		{`isolates(kinds: []) { totalCount }`, "kinds"},
		{`isolates(maxTies: -1) { totalCount }`, "maxTies"},
		{`egoNetwork(id: $p, hops: 0) { truncated }`, "hops"},
		{`egoNetwork(id: $p, hops: 4) { truncated }`, "hops"},
		{`egoNetwork(id: $p, maxNodes: 0) { truncated }`, "maxNodes"},
		{`egoNetwork(id: $p, maxNodes: 2001) { truncated }`, "maxNodes"},
		{`egoNetwork(id: $p, kinds: []) { truncated }`, "kinds"},
		{`reach(people: [$p], hops: 0) { people }`, "hops"},
		{`reach(people: [$p], hops: 5) { people }`, "hops"},
		{`reach(people: [$p], kinds: []) { people }`, "kinds"},
		{`trustedContacts(person: $p, first: 501) { why }`, "first"},
		{`familiarStrangers(maxTies: -1) { seen }`, "maxTies"},
	} {
		if strings.Contains(c.query, "$p") {
			e.with(t).fails(`query($p: ID!) { `+c.query+` }`, p, "BAD_USER_INPUT", c.field)
		} else {
			e.with(t).fails(`{ `+c.query+` }`, nil, "BAD_USER_INPUT", c.field)
		}
	}
}

// refRoute is a route as the reference reads it.
type refRoute struct {
	Length int
	Steps  []struct {
		Forward *bool
		Node    struct{ ID string }
		Tie     *struct {
			ID, Kind, Strength string
			From, To           struct{ ID string }
		}
	}
}

const refRouteFields = `length steps { forward node { id } tie { id kind strength from { id } to { id } } }`

// intermediates are the route's nodes between its start and its end.
func (r refRoute) intermediates() []string {
	var ids []string
	for _, s := range r.Steps {
		ids = append(ids, s.Node.ID)
	}
	if len(ids) <= 2 {
		return nil
	}
	return ids[1 : len(ids)-1]
}

// valid says why a route is not a chain of ties the spec allows, or "".
func (n *refNet) valid(r refRoute, keep func(refTie, bool) bool, from string) string {
	if len(r.Steps) != r.Length+1 || r.Steps[0].Node.ID != from {
		return fmt.Sprintf("%d steps for length %d, starting at %s", len(r.Steps), r.Length, r.Steps[0].Node.ID)
	}
	for i, st := range r.Steps[1:] {
		prev := r.Steps[i].Node.ID
		tie := st.Tie
		if tie == nil || st.Forward == nil {
			return fmt.Sprintf("step %d has no tie", i+1)
		}
		forward := tie.From.ID == prev && tie.To.ID == st.Node.ID
		backward := tie.To.ID == prev && tie.From.ID == st.Node.ID
		if !forward && !backward || *st.Forward != forward {
			return fmt.Sprintf("step %d: tie %s→%s does not join %s and %s as forward=%v says", i+1, tie.From.ID, tie.To.ID, prev, st.Node.ID, *st.Forward)
		}
		ok := false
		for _, t := range n.ties {
			if t.kind == tie.Kind && t.from == tie.From.ID && t.to == tie.To.ID && t.strength == tie.Strength &&
				(i == r.Length-1 && (t.kind == "MEMBER_OF" || t.kind == "INTERESTED_IN") || keep(t, forward)) {
				ok = true
			}
		}
		if !ok {
			return fmt.Sprintf("step %d: %s tie %s→%s is not one the spec follows", i+1, tie.Kind, tie.From.ID, tie.To.ID)
		}
	}
	return ""
}

var routeKindChoices = []string{"TRUSTS", "KNOWS", "ENCOURAGES", "GETS_INFO_FROM"}

func checkRoutes(t *testing.T, e *env, n *refNet, rng *rand.Rand) int {
	cases := 0
	groups := n.byLabel("Group")
	interests := n.byLabel("Interest")
	for trial := 0; trial < 40; trial++ {
		spec := cypher.TrustedRouteDefaults
		options := ""
		if trial%5 != 0 { // every fifth trial keeps the defaults
			var kinds []string
			for len(kinds) == 0 {
				for _, k := range routeKindChoices {
					if rng.IntN(2) == 0 {
						kinds = append(kinds, k)
					}
				}
			}
			spec.Kinds = kinds
			spec.MinStrength = []string{"STRONG", "WEAK"}[rng.IntN(2)]
			spec.Direction = []string{"OUT", "IN", "BOTH"}[rng.IntN(3)]
			spec.MaxHops = []int{1, 1, 2, 3, 4, 6, 6}[rng.IntN(7)]
			options = fmt.Sprintf(", options: {kinds: [%s], minStrength: %s, direction: %s, maxHops: %d}",
				strings.Join(kinds, ", "), spec.MinStrength, spec.Direction, spec.MaxHops)
		}
		from := n.people[rng.IntN(len(n.people))]
		keep := n.routeKeep(spec.Kinds, spec.MinStrength == "STRONG", spec.Direction, "Person")
		g := n.graph(keep)
		// target: the GraphQL target, and the last ties that reach it (from the last person).
		var target string
		var ends []refTie
		var toPerson string
		switch rng.IntN(4) {
		case 0:
			toPerson = n.people[rng.IntN(len(n.people))]
			if toPerson == from {
				continue
			}
			target = fmt.Sprintf(`{personId: "%s"}`, toPerson)
		case 1:
			gid := groups[rng.IntN(len(groups))]
			target = fmt.Sprintf(`{groupId: "%s"}`, gid)
			for _, t := range n.ties {
				if t.kind == "MEMBER_OF" && t.to == gid {
					ends = append(ends, t)
				}
			}
		case 2:
			act := n.activity[groups[rng.IntN(len(groups))]]
			target = fmt.Sprintf(`{activity: "%s"}`, strings.ToUpper(act))
			for _, t := range n.ties {
				if t.kind == "MEMBER_OF" && n.activity[t.to] == act {
					ends = append(ends, t)
				}
			}
		default:
			iid := interests[rng.IntN(len(interests))]
			target = fmt.Sprintf(`{interest: "%s"}`, n.interest[iid])
			for _, t := range n.ties {
				if t.kind == "INTERESTED_IN" && t.to == iid && n.label[t.from] == "Person" {
					ends = append(ends, t)
				}
			}
		}
		// shortest returns the reference's shortest length and count of shortest routes
		// avoiding the used intermediaries; -1 when there is none.
		shortest := func(used map[string]bool) (int, int) {
			pass := func(id string) bool { return !used[id] }
			dist, count := bfs(g, []string{from}, spec.MaxHops, pass)
			if toPerson != "" {
				if d, ok := dist[toPerson]; ok && d >= 1 {
					return d, count[toPerson]
				}
				return -1, 0
			}
			best, total := -1, 0
			for _, t := range ends {
				d, ok := dist[t.from]
				if !ok || d+1 > spec.MaxHops || (d > 0 && used[t.from]) {
					continue
				}
				switch {
				case best < 0 || d+1 < best:
					best, total = d+1, count[t.from]
				case d+1 == best:
					total += count[t.from]
				}
			}
			return best, total
		}
		want, total := shortest(map[string]bool{})
		var res struct {
			ShortestTrustedPath *refRoute
			All                 []refRoute
			Disjoint            []refRoute
		}
		k := []int{1, 3, 10}[rng.IntN(3)]
		e.with(t).ok(fmt.Sprintf(`query($from: ID!) {
			shortestTrustedPath(from: $from, to: %[1]s%[2]s) { %[3]s }
			all: trustedRoutes(from: $from, to: %[1]s%[2]s, mode: ALL_SHORTEST, k: %[4]d) { %[3]s }
			disjoint: trustedRoutes(from: $from, to: %[1]s%[2]s, mode: DISJOINT, k: %[4]d) { %[3]s } }`, target, options, refRouteFields, k),
			map[string]any{"from": from}, &res)
		cases += 3
		what := fmt.Sprintf("route %s → %s%s k=%d", from, target, options, k)
		got := -1
		if res.ShortestTrustedPath != nil {
			got = res.ShortestTrustedPath.Length
			if why := n.valid(*res.ShortestTrustedPath, keep, from); why != "" {
				t.Fatalf("%s: %s", what, why)
			}
		}
		if got != want {
			t.Fatalf("%s: length %d, reference %d", what, got, want)
		}
		if len(res.All) != min(k, total) {
			t.Fatalf("%s: %d routes of all the shortest, reference %d", what, len(res.All), min(k, total))
		}
		distinct := map[string]bool{}
		for _, r := range res.All {
			var key []string
			for _, s := range r.Steps[1:] {
				key = append(key, s.Tie.ID)
			}
			distinct[strings.Join(key, ",")] = true
			if r.Length != want {
				t.Fatalf("%s: a shortest route of length %d, reference %d", what, r.Length, want)
			}
			if why := n.valid(r, keep, from); why != "" {
				t.Fatalf("%s: %s", what, why)
			}
		}
		if len(distinct) != len(res.All) {
			t.Fatalf("%s: the same route twice among %d", what, len(res.All))
		}
		used := map[string]bool{}
		for i, r := range res.Disjoint {
			if w, _ := shortest(used); r.Length != w {
				t.Fatalf("%s: disjoint route %d of length %d, reference %d", what, i, r.Length, w)
			}
			if why := n.valid(r, keep, from); why != "" {
				t.Fatalf("%s: disjoint route %d: %s", what, i, why)
			}
			inter := r.intermediates()
			for _, id := range inter {
				if used[id] {
					t.Fatalf("%s: disjoint route %d passes %s again", what, i, id)
				}
				used[id] = true
			}
			last := i == len(res.Disjoint)-1
			if !last && (len(inter) == 0 || i+1 == k) {
				t.Fatalf("%s: routes after one that cannot be avoided or after k", what)
			}
		}
		if nr := len(res.Disjoint); nr > 0 && nr < k && len(res.Disjoint[nr-1].intermediates()) > 0 {
			if w, _ := shortest(used); w != -1 {
				t.Fatalf("%s: disjoint routes stop at %d, but the reference has another of length %d", what, nr, w)
			}
		}
		if (len(res.Disjoint) == 0) != (want == -1) {
			t.Fatalf("%s: %d disjoint routes where the shortest is %d", what, len(res.Disjoint), want)
		}
	}
	return cases
}

func checkAuthority(t *testing.T, e *env, n *refNet, rng *rand.Rand) int {
	cases := 0
	for trial := 0; trial < 15; trial++ {
		spec := cypher.AuthorityRouteDefaults
		spec.MaxHops = []int{1, 2, 3, 4, 6}[rng.IntN(5)]
		options := ""
		if trial%2 == 1 {
			spec.Kinds = [][]string{{"KNOWS"}, {"TRUSTS", "WORKS_FOR"}, {"KNOWS", "TRUSTS", "WORKS_FOR"}}[rng.IntN(3)]
			spec.Direction = []string{"OUT", "IN", "BOTH"}[rng.IntN(3)]
			spec.MinStrength = []string{"STRONG", "WEAK"}[rng.IntN(2)]
			options = fmt.Sprintf(", options: {kinds: [%s], direction: %s, minStrength: %s}", strings.Join(spec.Kinds, ", "), spec.Direction, spec.MinStrength)
		}
		from := n.people[rng.IntN(len(n.people))]
		keep := n.routeKeep(spec.Kinds, spec.MinStrength == "STRONG", spec.Direction, "Person", "Organisation")
		g := n.graph(keep)
		back := n.graph(func(t refTie, forward bool) bool { return keep(t, !forward) })
		dist, count := bfs(g, []string{from}, spec.MaxHops, anyNode)
		wantAuth := map[string]int{}
		type link struct{ hops, shortest, routes, auths int }
		wantLinks := map[string]*link{}
		paths := 0
		for id, d := range dist {
			if !n.authority[id] || id == from || d == 0 {
				continue
			}
			wantAuth[id] = d
			paths += count[id]
			dt, ct := bfs(back, []string{id}, d, anyNode)
			for v, dv := range dist {
				if v == from || n.authority[v] || dv >= d {
					continue
				}
				if x, ok := dt[v]; ok && dv+x == d {
					l := wantLinks[v]
					if l == nil {
						l = &link{hops: dv, shortest: d}
						wantLinks[v] = l
					}
					l.shortest = min(l.shortest, d)
					l.routes += count[v] * ct[v]
					l.auths++
				}
			}
		}
		var res struct {
			LinksToAuthority struct {
				Reachable   bool
				Authorities []struct {
					Hops int
					Node struct{ ID string }
				}
				Links []struct {
					Hops, ShortestRoute, RouteCount, Authorities int
					Node                                         struct{ ID string }
				}
			}
		}
		e.with(t).ok(fmt.Sprintf(`query($p: ID!) { linksToAuthority(person: $p, maxHops: %d%s) { reachable authorities { hops node { id } }
		  links { hops shortestRoute routeCount authorities node { id } } } }`, spec.MaxHops, options), map[string]any{"p": from}, &res)
		cases++
		what := fmt.Sprintf("linksToAuthority(%s, %d%s)", from, spec.MaxHops, options)
		got := res.LinksToAuthority
		if got.Reachable != (len(wantAuth) > 0) || len(got.Authorities) != len(wantAuth) {
			t.Fatalf("%s: authorities %+v, reference %v", what, got.Authorities, wantAuth)
		}
		for _, a := range got.Authorities {
			if d, ok := wantAuth[a.Node.ID]; !ok || d != a.Hops {
				t.Fatalf("%s: authority %s at %d, reference %v", what, a.Node.ID, a.Hops, wantAuth)
			}
		}
		if len(got.Links) != len(wantLinks) {
			t.Fatalf("%s: %d links, reference %d", what, len(got.Links), len(wantLinks))
		}
		for _, l := range got.Links {
			w, ok := wantLinks[l.Node.ID]
			if !ok || w.hops != l.Hops || w.shortest != l.ShortestRoute || w.auths != l.Authorities || (paths <= 500 && w.routes != l.RouteCount) {
				t.Fatalf("%s: link %s %+v, reference %+v", what, l.Node.ID, l, w)
			}
		}
	}
	return cases
}

func checkIsolates(t *testing.T, e *env, n *refNet) int {
	cases := 0
	kindSets := [][]string{nil, {"KNOWS", "TRUSTS"}, {"MEMBER_OF", "SEES", "USES"}}
	for _, kinds := range kindSets {
		use := kinds
		if use == nil {
			use = []string{"KNOWS", "TRUSTS", "GETS_INFO_FROM", "ENCOURAGES", "MEMBER_OF"}
		}
		for _, wave := range []string{"", n.waves[0]} {
			out, in := map[string]int{}, map[string]int{}
			for _, t := range n.ties {
				if slices.Contains(use, t.kind) && (wave == "" || t.inWave(wave)) {
					out[t.from]++
					in[t.to]++
				}
			}
			for _, measure := range []string{"ALL_TIES", "NAMED_NOBODY", "NAMED_BY_NOBODY"} {
				for _, maxTies := range []int{0, 1, 2} {
					want := map[string]int{}
					for _, p := range n.people {
						if wave != "" && !slices.Contains(n.respondents[wave], p) {
							continue // in a wave, only its respondents can be isolated in it
						}
						c := map[string]int{"ALL_TIES": out[p] + in[p], "NAMED_NOBODY": out[p], "NAMED_BY_NOBODY": in[p]}[measure]
						if c <= maxTies {
							want[p] = c
						}
					}
					args := fmt.Sprintf("measure: %s, maxTies: %d, first: 100", measure, maxTies)
					if kinds != nil {
						args += ", kinds: [" + strings.Join(kinds, ", ") + "]"
					}
					if wave != "" {
						args += fmt.Sprintf(`, waveId: "%s"`, wave)
					}
					var res struct {
						Isolates struct {
							TotalCount int
							Edges      []struct {
								Ties, OutTies, InTies int
								Node                  struct{ ID string }
							}
						}
					}
					e.with(t).ok(`{ isolates(`+args+`) { totalCount edges { ties outTies inTies node { id } } } }`, nil, &res)
					cases++
					got := res.Isolates
					if got.TotalCount != len(want) || len(got.Edges) != len(want) {
						t.Fatalf("isolates(%s): %d (total %d), reference %d", args, len(got.Edges), got.TotalCount, len(want))
					}
					prev := -1
					for _, ed := range got.Edges {
						id := ed.Node.ID
						if c, ok := want[id]; !ok || c != ed.Ties || ed.OutTies != out[id] || ed.InTies != in[id] || ed.Ties < prev {
							t.Fatalf("isolates(%s): %s with %d ties (%d out, %d in), reference %d (%d out, %d in)", args, id, ed.Ties, ed.OutTies, ed.InTies, c, out[id], in[id])
						}
						prev = ed.Ties
					}
				}
			}
		}
	}
	return cases
}

// contactRank is the order trustedContacts gives its contacts in.
func contactRank(kind, strength string) int {
	switch kind {
	case "TRUSTS":
		return 0
	case "KNOWS":
		if strength == "STRONG" {
			return 1
		}
		return 6
	case "SEES":
		return 2
	case "MEMBER_OF":
		return 3
	case "USES":
		return 4
	case "GETS_INFO_FROM":
		return 5
	}
	return 7
}

func checkContacts(t *testing.T, e *env, n *refNet) int {
	cases := 0
	kinds := []string{"TRUSTS", "KNOWS", "SEES", "MEMBER_OF", "USES", "GETS_INFO_FROM", "ENCOURAGES"}
	for _, p := range n.people {
		want := map[string]bool{}
		for _, t := range n.ties {
			if !slices.Contains(kinds, t.kind) || t.from != p && t.to != p {
				continue
			}
			other, dir := t.to, "OUT"
			if t.to == p {
				other, dir = t.from, "IN"
			}
			want[t.kind+" "+dir+" "+other+" "+t.purpose] = true
		}
		var res struct {
			TrustedContacts []struct {
				Direction string
				Node      struct{ ID string }
				Tie       struct {
					Kind     string
					For      *string
					Strength *string
				}
			}
		}
		e.with(t).ok(`query($p: ID!) { trustedContacts(person: $p, first: 500) { direction node { id } tie { kind for strength } } }`, map[string]any{"p": p}, &res)
		cases++
		got := map[string]bool{}
		prev := -1
		for _, c := range res.TrustedContacts {
			purpose, strength := "", ""
			if c.Tie.For != nil {
				purpose = *c.Tie.For
			}
			if c.Tie.Strength != nil {
				strength = *c.Tie.Strength
			}
			key := c.Tie.Kind + " " + c.Direction + " " + c.Node.ID + " " + purpose
			if got[key] {
				t.Fatalf("trustedContacts(%s): %s twice", p, key)
			}
			got[key] = true
			if r := contactRank(c.Tie.Kind, strength); r < prev {
				t.Fatalf("trustedContacts(%s): %s out of order", p, key)
			} else {
				prev = r
			}
		}
		if len(got) != len(want) {
			t.Fatalf("trustedContacts(%s): %d contacts, reference %d:\n got %v\nwant %v", p, len(got), len(want), got, want)
		}
		for k := range want {
			if !got[k] {
				t.Fatalf("trustedContacts(%s): missing %s", p, k)
			}
		}
	}
	return cases
}

var allKinds = []string{"KNOWS", "TRUSTS", "GETS_INFO_FROM", "ENCOURAGES", "MEMBER_OF", "USES", "SEES", "WORKS_FOR", "INTERESTED_IN", "LIVES_IN", "IN"}

func randomKinds(rng *rand.Rand) []string {
	var kinds []string
	for len(kinds) == 0 {
		for _, k := range allKinds {
			if rng.IntN(3) == 0 {
				kinds = append(kinds, k)
			}
		}
	}
	return kinds
}

func checkEgo(t *testing.T, e *env, n *refNet, rng *rand.Rand) int {
	cases := 0
	var ids []string
	for id := range n.label {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for trial := 0; trial < 15; trial++ {
		centre := ids[rng.IntN(len(ids))]
		if trial%2 == 0 {
			centre = n.people[rng.IntN(len(n.people))]
		}
		hops := 1 + rng.IntN(3)
		kinds := allKinds
		arg := ""
		if trial%3 == 1 {
			kinds = randomKinds(rng)
			arg = ", kinds: [" + strings.Join(kinds, ", ") + "]"
		}
		maxNodes := 2000
		if trial%4 == 3 {
			maxNodes = 1 + rng.IntN(6)
		}
		g := n.graph(func(t refTie, _ bool) bool { return slices.Contains(kinds, t.kind) })
		dist, _ := bfs(g, []string{centre}, hops, anyNode)
		var res struct {
			EgoNetwork struct {
				Truncated bool
				Nodes     []struct {
					Hops int
					Node struct{ ID string }
				}
				Ties []struct {
					Kind     string
					From, To struct{ ID string }
				}
			}
		}
		e.with(t).ok(fmt.Sprintf(`query($id: ID!) { egoNetwork(id: $id, hops: %d, maxNodes: %d%s) { truncated nodes { hops node { id } } ties { kind from { id } to { id } } } }`, hops, maxNodes, arg),
			map[string]any{"id": centre}, &res)
		cases++
		what := fmt.Sprintf("egoNetwork(%s, %d, %d%s)", centre, hops, maxNodes, arg)
		got := res.EgoNetwork
		if got.Truncated != (len(dist) > maxNodes) || len(got.Nodes) != min(len(dist), maxNodes) {
			t.Fatalf("%s: %d nodes (truncated %v), reference %d", what, len(got.Nodes), got.Truncated, len(dist))
		}
		kept := map[string]bool{}
		maxKept := 0
		for i, nd := range got.Nodes {
			if d, ok := dist[nd.Node.ID]; !ok || d != nd.Hops || kept[nd.Node.ID] || (i == 0) != (nd.Node.ID == centre) {
				t.Fatalf("%s: node %s at %d, reference %v", what, nd.Node.ID, nd.Hops, dist[nd.Node.ID])
			}
			kept[nd.Node.ID] = true
			maxKept = max(maxKept, nd.Hops)
		}
		for id, d := range dist {
			if !kept[id] && d < maxKept {
				t.Fatalf("%s: %s at %d left out while one at %d is kept", what, id, d, maxKept)
			}
		}
		want := map[string]int{}
		for _, t := range n.ties {
			if slices.Contains(kinds, t.kind) && kept[t.from] && kept[t.to] {
				want[t.kind+" "+t.from+" "+t.to]++
			}
		}
		gotTies := map[string]int{}
		for _, tie := range got.Ties {
			gotTies[tie.Kind+" "+tie.From.ID+" "+tie.To.ID]++
		}
		if len(got.Ties) != len(n.tiesAmong(kinds, kept)) || fmt.Sprint(gotTies) != fmt.Sprint(want) {
			t.Fatalf("%s: ties %v, reference %v", what, gotTies, want)
		}
	}
	return cases
}

func (n *refNet) tiesAmong(kinds []string, kept map[string]bool) []refTie {
	var out []refTie
	for _, t := range n.ties {
		if slices.Contains(kinds, t.kind) && kept[t.from] && kept[t.to] {
			out = append(out, t)
		}
	}
	return out
}

func checkReach(t *testing.T, e *env, n *refNet, rng *rand.Rand) int {
	cases := 0
	for trial := 0; trial < 20; trial++ {
		var sources []string
		for i := 0; i < 1+rng.IntN(3); i++ {
			if s := n.people[rng.IntN(len(n.people))]; !slices.Contains(sources, s) {
				sources = append(sources, s)
			}
		}
		hops := 1 + rng.IntN(4)
		kinds := []string{"KNOWS", "TRUSTS", "ENCOURAGES", "GETS_INFO_FROM"}
		arg := ""
		if trial%3 == 2 {
			kinds = randomKinds(rng)
			arg = ", kinds: [" + strings.Join(kinds, ", ") + "]"
		}
		through := []string{"PEOPLE", "ANYTHING"}[trial%2]
		g := n.graph(func(t refTie, _ bool) bool {
			return slices.Contains(kinds, t.kind) && (through == "ANYTHING" || n.label[t.from] == "Person" && n.label[t.to] == "Person")
		})
		dist, _ := bfs(g, sources, hops, anyNode)
		want := make([]int, hops)
		total := 0
		for id, d := range dist {
			if d > 0 && n.label[id] == "Person" {
				want[d-1]++
				total++
			}
		}
		var res struct {
			Reach struct {
				People int
				ByHops []int
			}
		}
		e.with(t).ok(fmt.Sprintf(`query($p: [ID!]!) { reach(people: $p, hops: %d, through: %s%s) { people byHops } }`, hops, through, arg), map[string]any{"p": sources}, &res)
		cases++
		if res.Reach.People != total || !slices.Equal(res.Reach.ByHops, want) {
			t.Fatalf("reach(%v, %d, %s%s): %d %v, reference %d %v", sources, hops, through, arg, res.Reach.People, res.Reach.ByHops, total, want)
		}
	}
	return cases
}
