package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"

	"kith/auth"
	"kith/cypher"
	"kith/nodeid"
)

// riverside is a hand-built neighbourhood with known answers:
//
//	Ann -TRUSTS(HELP)-> Bob -KNOWS(STRONG)-> Cat -MEMBER_OF-> Knit and Natter
//	Ann -KNOWS(WEAK)-> Dan -MEMBER_OF-> Knit and Natter      (in waves 1 and 2)
//	Bob -KNOWS(WEAK)-> Eve -KNOWS(WEAK)-> Cllr Fox (authority) -WORKS_FOR-> Council (authority)
//	Gus -KNOWS(WEAK)-> Hal; Ivy has no ties at all
//	Postman -SEES-> Ann, Gus, Ivy; Quizmaster -SEES-> Bob; Ann -USES(WEEKLY)-> Library
//	Everyone LIVES_IN East, which is IN Riverside; Jo (in West) knows nobody.
type riverside struct{ ids map[string]string }

func (r riverside) id(name string) string { return r.ids[name] }

func loadRiverside(t *testing.T, e *env) riverside {
	t.Helper()
	r := riverside{ids: map[string]string{}}
	var nodes []cypher.LoadNode
	add := func(label, name string, props map[string]any) {
		id := nodeid.FromKey(label, name)
		r.ids[name] = id
		if props == nil {
			props = map[string]any{}
		}
		props["externalId"] = "riverside-" + name
		nodes = append(nodes, cypher.LoadNode{Label: label, ID: id, Props: props})
	}
	add("Area", "Riverside", map[string]any{"name": "Riverside"})
	add("Area", "East", map[string]any{"name": "East"})
	add("Area", "West", map[string]any{"name": "West"})
	add("Wave", "w1", map[string]any{"name": "Wave 1", "collectedOn": "2024-03-15"})
	add("Wave", "w2", map[string]any{"name": "Wave 2", "collectedOn": "2025-03-15"})
	for _, p := range []string{"Ann", "Bob", "Cat", "Dan", "Eve", "Gus", "Hal", "Ivy", "Jo"} {
		add("Person", p, map[string]any{"displayName": p})
	}
	add("Person", "Fox", map[string]any{"displayName": "Cllr Fox", "isAuthority": true, "roles": []string{"councillor"}})
	add("Organisation", "Council", map[string]any{"name": "Riverside Council", "isAuthority": true, "sector": "PUBLIC"})
	add("Group", "Knit", map[string]any{"name": "Knit and Natter", "activity": "knit and natter"})
	add("Group", "Darts", map[string]any{"name": "Darts Team", "activity": "darts"})
	add("Place", "Library", map[string]any{"name": "Library", "kind": "INDOOR"})
	add("FamiliarStranger", "Postman", map[string]any{"role": "postman"})
	add("FamiliarStranger", "Quizmaster", map[string]any{"role": "quizmaster"})
	add("Interest", "Gardening", map[string]any{"name": "Gardening"})
	var ties []cypher.LoadTie
	tie := func(kind, from, to string, props map[string]any) {
		if props == nil {
			props = map[string]any{}
		}
		ties = append(ties, cypher.LoadTie{Kind: kind, From: r.id(from), To: r.id(to), Props: props})
	}
	w1, w2 := r.id("w1"), r.id("w2")
	tie("IN", "East", "Riverside", nil)
	tie("IN", "West", "Riverside", nil)
	for _, p := range []string{"Ann", "Bob", "Cat", "Dan", "Eve", "Fox", "Gus", "Hal", "Ivy"} {
		tie("LIVES_IN", p, "East", nil)
	}
	tie("LIVES_IN", "Jo", "West", nil)
	tie("IN", "Postman", "East", nil)
	tie("TRUSTS", "Ann", "Bob", map[string]any{"for": "HELP", "wave": w1})
	tie("KNOWS", "Bob", "Cat", map[string]any{"strength": "STRONG", "wave": w1})
	tie("MEMBER_OF", "Cat", "Knit", map[string]any{"role": "MEMBER"})
	tie("KNOWS", "Ann", "Dan", map[string]any{"strength": "WEAK", "wave": w1, "recordedAt": time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)})
	tie("KNOWS", "Ann", "Dan", map[string]any{"strength": "WEAK", "wave": w2, "recordedAt": time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)})
	tie("MEMBER_OF", "Dan", "Knit", map[string]any{"role": "ORGANISER"})
	tie("KNOWS", "Bob", "Eve", map[string]any{"strength": "WEAK", "wave": w1})
	tie("KNOWS", "Eve", "Fox", map[string]any{"strength": "WEAK", "wave": w1})
	tie("WORKS_FOR", "Fox", "Council", nil)
	tie("KNOWS", "Gus", "Hal", map[string]any{"strength": "WEAK", "wave": w1})
	tie("SEES", "Postman", "Ann", map[string]any{"frequency": "DAILY"})
	tie("SEES", "Postman", "Gus", map[string]any{"frequency": "DAILY"})
	tie("SEES", "Postman", "Ivy", map[string]any{"frequency": "WEEKLY"})
	tie("SEES", "Quizmaster", "Bob", map[string]any{"frequency": "WEEKLY"})
	tie("USES", "Ann", "Library", map[string]any{"frequency": "WEEKLY"})
	tie("INTERESTED_IN", "Eve", "Gardening", nil)
	if err := e.store.Load(context.Background(), nodes, ties, nil); err != nil {
		t.Fatalf("load riverside: %v", err)
	}
	// Wave 1 surveyed everyone; wave 2 everyone but Jo, who is not known to have named
	// nobody in it.
	var obs []cypher.ObservationInput
	for _, p := range []string{"Ann", "Bob", "Cat", "Dan", "Eve", "Fox", "Gus", "Hal", "Ivy", "Jo"} {
		obs = append(obs, cypher.ObservationInput{PersonID: r.id(p), WaveID: w1, Method: "DOORSTEP"})
		if p != "Jo" {
			obs = append(obs, cypher.ObservationInput{PersonID: r.id(p), WaveID: w2, Method: "DOORSTEP"})
		}
	}
	if _, err := e.store.RecordObservations(context.Background(), cypher.Scope{}, obs); err != nil {
		t.Fatalf("load riverside observations: %v", err)
	}
	return r
}

// routeNames reads a route as the names of its nodes, joined by " > ".
type routeJSON struct {
	Length int
	Steps  []struct {
		Forward *bool
		Node    struct {
			ID, DisplayName, Name string
		}
		Tie *struct {
			Kind, Strength string
			From, To       struct{ ID string }
		}
	}
}

func (r routeJSON) names() string {
	var s []string
	for _, st := range r.Steps {
		s = append(s, st.Node.DisplayName+st.Node.Name)
	}
	return strings.Join(s, " > ")
}

const routeFields = `length steps { forward node { id ... on Person { displayName } ... on Group { name } ... on Interest { name } ... on Organisation { name } }
  tie { kind strength from { id } to { id } } }`

func TestShortestTrustedPath(t *testing.T) {
	e := setup(t)
	r := loadRiverside(t, e)
	cases := []struct {
		name, from, to, options string
		want                    string // "" for no route
	}{
		{"trust and close ties as named, to a group by activity in any case", "", `{activity: "Knit And NATTER"}`, ``, "Ann > Bob > Cat > Knit and Natter"},
		{"to a group by id", "", `{groupId: "` + r.id("Knit") + `"}`, ``, "Ann > Bob > Cat > Knit and Natter"},
		{"any acquaintance, either way", "", `{activity: "knit and natter"}`, `{minStrength: WEAK, direction: BOTH}`, "Ann > Dan > Knit and Natter"},
		{"too few hops", "", `{activity: "knit and natter"}`, `{maxHops: 2}`, ""},
		{"trust only", "", `{activity: "knit and natter"}`, `{kinds: [TRUSTS]}`, ""},
		{"against the ties", "", `{activity: "knit and natter"}`, `{direction: IN}`, ""},
		{"along the ties, weak ones too", "", `{personId: "` + r.id("Fox") + `"}`, `{minStrength: WEAK}`, "Ann > Bob > Eve > Cllr Fox"},
		{"not over a weak tie by default", "", `{personId: "` + r.id("Fox") + `"}`, ``, ""},
		{"to a person", "", `{personId: "` + r.id("Cat") + `"}`, ``, "Ann > Bob > Cat"},
		{"to an interest", "", `{interest: "gardening"}`, `{minStrength: WEAK}`, "Ann > Bob > Eve > Gardening"},
		{"nobody in reach", "", `{personId: "` + r.id("Hal") + `"}`, `{maxHops: 6, minStrength: WEAK, direction: BOTH}`, ""},
		{"a member is one tie from the group", "Dan", `{activity: "knit and natter"}`, `{maxHops: 1}`, "Dan > Knit and Natter"},
		{"one tie is too few for someone else's group", "", `{activity: "knit and natter"}`, `{maxHops: 1}`, ""},
		{"one tie to an interest", "Eve", `{interest: "gardening"}`, `{maxHops: 1}`, "Eve > Gardening"},
		{"one tie to a person", "Bob", `{personId: "` + r.id("Cat") + `"}`, `{maxHops: 1}`, "Bob > Cat"},
		{"the longest route allowed", "Hal", `{personId: "` + r.id("Gus") + `"}`, `{maxHops: 6, minStrength: WEAK, direction: BOTH}`, "Hal > Gus"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			opts := ""
			if c.options != "" {
				opts = ", options: " + c.options
			}
			from := r.id("Ann")
			if c.from != "" {
				from = r.id(c.from)
			}
			var res struct{ ShortestTrustedPath *routeJSON }
			e.ok(`query($from: ID!) { shortestTrustedPath(from: $from, to: `+c.to+opts+`) { `+routeFields+` } }`,
				map[string]any{"from": from}, &res)
			got := ""
			if res.ShortestTrustedPath != nil {
				got = res.ShortestTrustedPath.names()
				if res.ShortestTrustedPath.Length != len(res.ShortestTrustedPath.Steps)-1 {
					t.Errorf("length %d with %d steps", res.ShortestTrustedPath.Length, len(res.ShortestTrustedPath.Steps))
				}
			}
			if got != c.want {
				t.Errorf("route %q, want %q", got, c.want)
			}
		})
	}
	t.Run("each step says why", func(t *testing.T) {
		whys := func(from, to, options string) []string {
			var res struct {
				ShortestTrustedPath struct {
					Steps []struct {
						Why  *string
						Node struct{ Label string }
					}
				}
			}
			e.with(t).ok(`query($from: ID!) { shortestTrustedPath(from: $from, to: `+to+`, options: `+options+`) { steps { why node { label } } } }`,
				map[string]any{"from": r.id(from)}, &res)
			var out []string
			for _, st := range res.ShortestTrustedPath.Steps {
				w := "-"
				if st.Why != nil {
					w = *st.Why
				}
				out = append(out, w+" > "+st.Node.Label)
			}
			return out
		}
		got := whys("Ann", `{activity: "knit and natter"}`, `{}`)
		want := []string{"- > Ann", "trusts them for help > Bob", "knows them (strong tie) > Cat", "member of the group > Knit and Natter"}
		if !slices.Equal(got, want) {
			t.Errorf("forward route:\n got %q\nwant %q", got, want)
		}
		got = whys("Cat", `{personId: "`+r.id("Ann")+`"}`, `{direction: BOTH}`)
		want = []string{"- > Cat", "knows them (strong tie) > Bob", "trusted by them for help > Ann"}
		if !slices.Equal(got, want) {
			t.Errorf("backward route:\n got %q\nwant %q", got, want)
		}
	})
	t.Run("disjoint routes", func(t *testing.T) {
		var res struct{ TrustedRoutes []routeJSON }
		e.with(t).ok(`query($from: ID!) { trustedRoutes(from: $from, to: {activity: "knit and natter"}, mode: DISJOINT, k: 3) { `+routeFields+` } }`,
			map[string]any{"from": r.id("Ann")}, &res)
		var got []string
		for _, rt := range res.TrustedRoutes {
			got = append(got, rt.names())
		}
		want := []string{"Ann > Bob > Cat > Knit and Natter"}
		if !slices.Equal(got, want) {
			t.Errorf("routes %q, want %q", got, want)
		}
		res.TrustedRoutes = nil
		e.with(t).ok(`query($from: ID!) { trustedRoutes(from: $from, to: {activity: "knit and natter"}, options: {minStrength: WEAK, direction: BOTH}, mode: DISJOINT, k: 3) { `+routeFields+` } }`,
			map[string]any{"from": r.id("Ann")}, &res)
		got = nil
		for _, rt := range res.TrustedRoutes {
			got = append(got, rt.names())
		}
		want = []string{"Ann > Dan > Knit and Natter", "Ann > Bob > Cat > Knit and Natter"}
		if !slices.Equal(got, want) {
			t.Errorf("routes over any tie %q, want %q", got, want)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		e := e.with(t)
		vars := map[string]any{"from": r.id("Ann")}
		e.fails(`query($from: ID!) { shortestTrustedPath(from: $from, to: {activity: "underwater hockey"}) { length } }`, vars, "NOT_FOUND", "to")
		e.fails(`{ shortestTrustedPath(from: "per_00000000000000000000", to: {activity: "darts"}) { length } }`, nil, "NOT_FOUND", "from")
		e.fails(`query($from: ID!) { shortestTrustedPath(from: $from, to: {activity: "darts", interest: "x"}) { length } }`, vars, "BAD_USER_INPUT", "to")
		e.fails(`query($from: ID!) { shortestTrustedPath(from: $from, to: {}) { length } }`, vars, "BAD_USER_INPUT", "to")
		for _, hops := range []int{0, -1, 7, 1 << 30} {
			e.fails(fmt.Sprintf(`query($from: ID!) { shortestTrustedPath(from: $from, to: {activity: "darts"}, options: {maxHops: %d}) { length } }`, hops),
				vars, "BAD_USER_INPUT", "options.maxHops")
		}
		e.fails(`query($from: ID!) { shortestTrustedPath(from: $from, to: {activity: "darts"}, options: {kinds: []}) { length } }`, vars, "BAD_USER_INPUT", "options.kinds")
		e.fails(`query($from: ID!) { shortestTrustedPath(from: $from, to: {activity: "darts"}, options: {kinds: [MEMBER_OF]}) { length } }`, vars, "BAD_USER_INPUT", "options.kinds")
		e.fails(`query($from: ID!) { shortestTrustedPath(from: $from, to: {personId: $from}) { length } }`, vars, "BAD_USER_INPUT", "to.personId")
		e.fails(`query($from: ID!) { trustedRoutes(from: $from, to: {activity: "darts"}, k: 11) { length } }`, vars, "BAD_USER_INPUT", "k")
		e.fails(`{ shortestTrustedPath(from: "grp_00000000000000000000", to: {activity: "darts"}) { length } }`, nil, "BAD_USER_INPUT", "from")
	})
}

func TestLinksToAuthority(t *testing.T) {
	e := setup(t)
	r := loadRiverside(t, e)
	type links struct {
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
			Routes []routeJSON
		}
	}
	q := `query($p: ID!, $h: Int) { linksToAuthority(person: $p, maxHops: $h) { reachable authorities { hops node { id } }
	  links { hops shortestRoute routeCount authorities node { id } } routes { ` + routeFields + ` } } }`
	var three links
	e.ok(q, map[string]any{"p": r.id("Ann"), "h": 3}, &three)
	got := three.LinksToAuthority
	if !got.Reachable || len(got.Authorities) != 1 || got.Authorities[0].Node.ID != r.id("Fox") || got.Authorities[0].Hops != 3 {
		t.Fatalf("authorities within 3: %+v", got.Authorities)
	}
	if len(got.Links) != 2 || got.Links[0].Node.ID != r.id("Bob") || got.Links[0].Hops != 1 || got.Links[1].Node.ID != r.id("Eve") ||
		got.Links[1].Hops != 2 || got.Links[0].RouteCount != 1 || got.Links[0].ShortestRoute != 3 {
		t.Errorf("links within 3: %+v", got.Links)
	}
	if len(got.Routes) != 1 || got.Routes[0].names() != "Ann > Bob > Eve > Cllr Fox" {
		t.Errorf("routes: %+v", got.Routes)
	}
	var four links
	e.ok(q, map[string]any{"p": r.id("Ann"), "h": 4}, &four)
	if a := four.LinksToAuthority.Authorities; len(a) != 2 || a[1].Node.ID != r.id("Council") || a[1].Hops != 4 {
		t.Errorf("authorities within 4: %+v", a)
	}
	// Cllr Fox is on the way to the council, but an authority himself: reached, not a link.
	if l := four.LinksToAuthority.Links; len(l) != 2 || l[0].RouteCount != 2 || l[0].Authorities != 2 || l[1].Node.ID != r.id("Eve") {
		t.Errorf("links within 4: %+v", l)
	}
	var fox links
	e.ok(q, map[string]any{"p": r.id("Fox"), "h": 3}, &fox)
	if f := fox.LinksToAuthority; !f.Reachable || len(f.Authorities) != 1 || f.Authorities[0].Node.ID != r.id("Council") || len(f.Links) != 0 {
		t.Errorf("an authority's own links: %+v", f)
	}
	var none links
	e.ok(q, map[string]any{"p": r.id("Ivy"), "h": 6}, &none)
	if n := none.LinksToAuthority; n.Reachable || len(n.Authorities) != 0 || len(n.Links) != 0 || n.Routes == nil {
		t.Errorf("an isolated person: %+v", n)
	}
	e.fails(q, map[string]any{"p": r.id("Ann"), "h": 0}, "BAD_USER_INPUT", "maxHops")
	e.fails(q, map[string]any{"p": r.id("Ann"), "h": 7}, "BAD_USER_INPUT", "maxHops")
	e.fails(`query($p: ID!) { linksToAuthority(person: $p, maxHops: 2, options: {maxHops: 3}) { reachable } }`, map[string]any{"p": r.id("Ann")}, "BAD_USER_INPUT", "options.maxHops")
	e.fails(q, map[string]any{"p": "per_00000000000000000000", "h": 3}, "NOT_FOUND", "person")
}

func TestIsolatesContactsStrangers(t *testing.T) {
	e := setup(t)
	r := loadRiverside(t, e)
	isolates := func(args string) []string {
		var res struct {
			Isolates struct {
				TotalCount int
				Edges      []struct {
					Ties int
					Node struct{ DisplayName string }
				}
			}
		}
		e.ok(`{ isolates(`+args+`) { totalCount edges { ties node { displayName } } } }`, nil, &res)
		var names []string
		for _, ed := range res.Isolates.Edges {
			names = append(names, fmt.Sprintf("%s:%d", ed.Node.DisplayName, ed.Ties))
		}
		if res.Isolates.TotalCount != len(names) {
			t.Errorf("isolates(%s): totalCount %d for %d edges", args, res.Isolates.TotalCount, len(names))
		}
		return names
	}
	cases := []struct{ args, want string }{
		{"first: 50", "Ivy:0,Jo:0"},
		{`first: 50, areaId: "` + r.id("West") + `"`, "Jo:0"},
		{`first: 50, areaId: "` + r.id("Riverside") + `"`, "Ivy:0,Jo:0"},
		{"first: 50, maxTies: 1", "Ivy:0,Jo:0,Cllr Fox:1,Gus:1,Hal:1"},
		{"first: 50, measure: NAMED_NOBODY", "Cllr Fox:0,Hal:0,Ivy:0,Jo:0"},
		{"first: 50, measure: NAMED_BY_NOBODY", "Ann:0,Gus:0,Ivy:0,Jo:0"},
		// Jo was not surveyed in wave 2: not an isolate of it.
		{`first: 50, waveId: "` + r.id("w2") + `"`, "Bob:0,Cat:0,Cllr Fox:0,Eve:0,Gus:0,Hal:0,Ivy:0"},
		{"first: 50, kinds: [MEMBER_OF]", "Ann:0,Bob:0,Cllr Fox:0,Eve:0,Gus:0,Hal:0,Ivy:0,Jo:0"},
	}
	for _, c := range cases {
		if got := strings.Join(isolates(c.args), ","); got != c.want {
			t.Errorf("isolates(%s) = %s, want %s", c.args, got, c.want)
		}
	}
	e.fails(`{ isolates(maxTies: -1) { totalCount } }`, nil, "BAD_USER_INPUT", "maxTies")
	e.fails(`{ isolates(kinds: []) { totalCount } }`, nil, "BAD_USER_INPUT", "kinds")
	e.fails(`{ isolates(areaId: "per_00000000000000000000") { totalCount } }`, nil, "BAD_USER_INPUT", "areaId")

	var contacts struct {
		TrustedContacts []struct {
			Direction, Why string
			Node           struct{ ID string }
			Tie            struct{ Kind string }
		}
	}
	e.ok(`query($p: ID!) { trustedContacts(person: $p) { direction why node { id } tie { kind } } }`, map[string]any{"p": r.id("Ann")}, &contacts)
	var got []string
	for _, c := range contacts.TrustedContacts {
		got = append(got, c.Tie.Kind+" "+c.Direction+" "+c.Why)
	}
	want := []string{"TRUSTS OUT trusts them for help", "SEES IN seen by them daily", "USES OUT uses the place weekly", "KNOWS OUT knows them (weak tie)"}
	if !slices.Equal(got, want) {
		t.Errorf("contacts:\n got %q\nwant %q", got, want)
	}
	var none struct{ TrustedContacts []any }
	e.ok(`query($p: ID!) { trustedContacts(person: $p) { why } }`, map[string]any{"p": r.id("Jo")}, &none)
	if none.TrustedContacts == nil || len(none.TrustedContacts) != 0 {
		t.Errorf("Jo's contacts: %+v", none.TrustedContacts)
	}
	e.fails(`{ trustedContacts(person: "per_00000000000000000000") { why } }`, nil, "NOT_FOUND", "person")

	var fs struct {
		FamiliarStrangers []struct {
			Seen, IsolatedSeen int
			FamiliarStranger   struct{ Role string }
			Isolated           []struct{ DisplayName string }
		}
	}
	e.ok(`{ familiarStrangers { seen isolatedSeen familiarStranger { role } isolated { displayName } } }`, nil, &fs)
	if len(fs.FamiliarStrangers) != 2 {
		t.Fatalf("familiar strangers: %+v", fs.FamiliarStrangers)
	}
	if p := fs.FamiliarStrangers[0]; p.FamiliarStranger.Role != "postman" || p.Seen != 3 || p.IsolatedSeen != 2 ||
		len(p.Isolated) != 2 || p.Isolated[0].DisplayName != "Ivy" || p.Isolated[1].DisplayName != "Gus" {
		t.Errorf("postman: %+v", p)
	}
	if q := fs.FamiliarStrangers[1]; q.FamiliarStranger.Role != "quizmaster" || q.IsolatedSeen != 0 {
		t.Errorf("quizmaster: %+v", q)
	}
}

func TestEgoNetworkAndReach(t *testing.T) {
	e := setup(t)
	r := loadRiverside(t, e)
	var ego struct {
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
	e.ok(`query($id: ID!) { egoNetwork(id: $id) { truncated nodes { hops node { id } } ties { kind from { id } to { id } } } }`,
		map[string]any{"id": r.id("Ann")}, &ego)
	g := ego.EgoNetwork
	if g.Truncated || len(g.Nodes) != 6 || g.Nodes[0].Node.ID != r.id("Ann") || g.Nodes[0].Hops != 0 || g.Nodes[5].Hops != 1 {
		t.Errorf("ego nodes: %+v", g.Nodes)
	}
	// Ann's TRUSTS, KNOWS (one tie, though two waves recorded it), SEES, USES and LIVES_IN,
	// and the ties between her neighbours: Bob's and Dan's LIVES_IN and the postman's IN,
	// all to East.
	if len(g.Ties) != 8 {
		t.Errorf("ego ties: %+v", g.Ties)
	}
	e.ok(`query($id: ID!) { egoNetwork(id: $id, hops: 3, maxNodes: 3) { truncated nodes { hops node { id } } ties { kind } } }`,
		map[string]any{"id": r.id("Ann")}, &ego)
	if !ego.EgoNetwork.Truncated || len(ego.EgoNetwork.Nodes) != 3 {
		t.Errorf("truncated ego: %+v", ego.EgoNetwork)
	}
	e.fails(`query($id: ID!) { egoNetwork(id: $id, hops: 4) { truncated } }`, map[string]any{"id": r.id("Ann")}, "BAD_USER_INPUT", "hops")
	e.fails(`{ egoNetwork(id: "per_00000000000000000000") { truncated } }`, nil, "NOT_FOUND", "id")

	var reach struct {
		Reach struct {
			People int
			ByHops []int
		}
	}
	e.ok(`query($p: [ID!]!) { reach(people: $p) { people byHops } }`, map[string]any{"p": []string{r.id("Ann")}}, &reach)
	if reach.Reach.People != 4 || !slices.Equal(reach.Reach.ByHops, []int{2, 2}) {
		t.Errorf("reach of Ann: %+v", reach.Reach)
	}
	e.ok(`query($p: [ID!]!) { reach(people: $p, hops: 4) { people byHops } }`, map[string]any{"p": []string{r.id("Ann"), r.id("Gus")}}, &reach)
	if reach.Reach.People != 6 || !slices.Equal(reach.Reach.ByHops, []int{3, 2, 1, 0}) {
		t.Errorf("reach of Ann and Gus: %+v", reach.Reach)
	}
	e.fails(`{ reach(people: ["per_00000000000000000000"]) { people } }`, nil, "NOT_FOUND", "people[0]")
	e.fails(`{ reach(people: []) { people } }`, nil, "BAD_USER_INPUT", "people")
}

// TestRoutesMatchBreadthFirstSearch is a property test: on random graphs, for random
// options, the route lengths Neo4j returns equal a breadth-first search done in Go with
// gonum, and every route is a real chain of ties that respects the filters.
func TestRoutesMatchBreadthFirstSearch(t *testing.T) {
	e := setup(t)
	rng := rand.New(rand.NewPCG(7, 11))
	const people = 60
	type edge struct {
		kind, strength string
		from, to       int
	}
	var nodes []cypher.LoadNode
	ids := make([]string, people)
	for i := range ids {
		ids[i] = nodeid.FromKey("Person", fmt.Sprint("random-", i))
		nodes = append(nodes, cypher.LoadNode{Label: "Person", ID: ids[i], Props: map[string]any{"displayName": fmt.Sprint("P", i)}})
	}
	var edges []edge
	seen := map[[3]int]bool{}
	for len(edges) < 90 {
		a, b := rng.IntN(people), rng.IntN(people)
		kind := []string{"KNOWS", "TRUSTS", "ENCOURAGES"}[rng.IntN(3)]
		key := [3]int{a, b, len(kind)}
		if a == b || seen[key] {
			continue
		}
		seen[key] = true
		ed := edge{kind: kind, from: a, to: b}
		if kind == "KNOWS" {
			ed.strength = []string{"STRONG", "WEAK"}[rng.IntN(2)]
		}
		edges = append(edges, ed)
	}
	var ties []cypher.LoadTie
	for _, ed := range edges {
		props := map[string]any{}
		if ed.strength != "" {
			props["strength"] = ed.strength
		}
		ties = append(ties, cypher.LoadTie{Kind: ed.kind, From: ids[ed.from], To: ids[ed.to], Props: props})
	}
	if err := e.store.Load(context.Background(), nodes, ties, nil); err != nil {
		t.Fatal(err)
	}
	kindSets := [][]string{{"KNOWS"}, {"TRUSTS", "KNOWS"}, {"TRUSTS", "KNOWS", "ENCOURAGES"}}
	for trial := 0; trial < 40; trial++ {
		kinds := kindSets[rng.IntN(len(kindSets))]
		strong := rng.IntN(3) == 0 && slices.Contains(kinds, "KNOWS")
		dir := []string{"OUT", "IN", "BOTH"}[rng.IntN(3)]
		maxHops := 1 + rng.IntN(5)
		from, to := rng.IntN(people), rng.IntN(people)
		if from == to {
			continue
		}
		allowed := func(ed edge) bool {
			return slices.Contains(kinds, ed.kind) && (!strong || ed.kind != "KNOWS" || ed.strength == "STRONG")
		}
		g := simple.NewDirectedGraph()
		for i := range ids {
			g.AddNode(simple.Node(i))
		}
		for _, ed := range edges {
			if !allowed(ed) {
				continue
			}
			if dir != "IN" && !g.HasEdgeFromTo(int64(ed.from), int64(ed.to)) {
				g.SetEdge(simple.Edge{F: simple.Node(ed.from), T: simple.Node(ed.to)})
			}
			if dir != "OUT" && !g.HasEdgeFromTo(int64(ed.to), int64(ed.from)) {
				g.SetEdge(simple.Edge{F: simple.Node(ed.to), T: simple.Node(ed.from)})
			}
		}
		bfs := path.DijkstraFrom(simple.Node(from), g)
		want := -1
		if w := bfs.WeightTo(int64(to)); w <= float64(maxHops) {
			want = int(w)
		}
		kindList, _ := json.Marshal(kinds)
		minStrength := "WEAK"
		if strong {
			minStrength = "STRONG"
		}
		q := fmt.Sprintf(`query($from: ID!, $to: ID!) { shortestTrustedPath(from: $from, to: {personId: $to},
		  options: {kinds: %s, minStrength: %s, direction: %s, maxHops: %d}) { %s } }`,
			strings.ReplaceAll(string(kindList), `"`, ""), minStrength, dir, maxHops, routeFields)
		var res struct{ ShortestTrustedPath *routeJSON }
		e.ok(q, map[string]any{"from": ids[from], "to": ids[to]}, &res)
		route := res.ShortestTrustedPath
		got := -1
		if route != nil {
			got = route.Length
		}
		if got != want {
			t.Fatalf("trial %d (%v strong=%v %s ≤%d, P%d→P%d): Neo4j length %d, gonum BFS %d", trial, kinds, strong, dir, maxHops, from, to, got, want)
		}
		if route == nil {
			continue
		}
		if route.Steps[0].Node.ID != ids[from] || route.Steps[len(route.Steps)-1].Node.ID != ids[to] {
			t.Fatalf("trial %d: route does not join the ends: %+v", trial, route)
		}
		for i, st := range route.Steps[1:] {
			prev := route.Steps[i].Node.ID
			tie := st.Tie
			ends := [2]string{tie.From.ID, tie.To.ID}
			if ends != [2]string{prev, st.Node.ID} && ends != [2]string{st.Node.ID, prev} {
				t.Fatalf("trial %d step %d: tie %v does not join %s and %s", trial, i+1, ends, prev, st.Node.ID)
			}
			if !slices.Contains(kinds, tie.Kind) || strong && tie.Kind == "KNOWS" && tie.Strength != "STRONG" {
				t.Fatalf("trial %d step %d: tie %s %s breaks the filter", trial, i+1, tie.Kind, tie.Strength)
			}
			forward := tie.From.ID == prev
			if st.Forward == nil || *st.Forward != forward || dir == "OUT" && !forward || dir == "IN" && forward {
				t.Fatalf("trial %d step %d: direction %s, forward %v", trial, i+1, dir, forward)
			}
		}
	}
}

// TestQuestionsRespectRoles checks that the questions see only what the caller's role may:
// a worker only people in their areas, an analyst only people who consented to analysis
// (and routes only through them, pseudonymised), a partner nothing.
func TestQuestionsRespectRoles(t *testing.T) {
	e := setup(t)
	r := loadRiverside(t, e)
	route := `query($from: ID!) { shortestTrustedPath(from: $from, to: {activity: "knit and natter"}) { ` + routeFields + ` } }`
	vars := map[string]any{"from": r.id("Ann")}

	e.as(auth.Worker, r.id("West")).fails(route, vars, "NOT_FOUND", "from")
	var res struct{ ShortestTrustedPath *routeJSON }
	e.as(auth.Worker, r.id("East")).ok(route, vars, &res)
	if res.ShortestTrustedPath == nil || res.ShortestTrustedPath.names() != "Ann > Bob > Cat > Knit and Natter" {
		t.Errorf("worker in East: %+v", res.ShortestTrustedPath)
	}
	route = `query($from: ID!) { shortestTrustedPath(from: $from, to: {activity: "knit and natter"}, options: {minStrength: WEAK, direction: BOTH}) { ` + routeFields + ` } }`
	var iso struct {
		Isolates struct {
			Edges []struct{ Node struct{ DisplayName string } }
		}
	}
	e.as(auth.Worker, r.id("West")).ok(`{ isolates(first: 50) { edges { node { displayName } } } }`, nil, &iso)
	if len(iso.Isolates.Edges) != 1 || iso.Isolates.Edges[0].Node.DisplayName != "Jo" {
		t.Errorf("worker in West sees isolates %+v", iso.Isolates.Edges)
	}

	// Analysts name people by their own ids, and read them back so.
	analyst := e.as(auth.Analyst)
	pa := func(name string) string { return analystID(t, r.id(name)) }
	avars := map[string]any{"from": pa("Ann")}
	analyst.fails(route, avars, "NOT_FOUND", "from")
	if _, err := neo4j.ExecuteQuery(context.Background(), e.driver,
		"MATCH (p:Person) WHERE p.displayName IN ['Ann', 'Bob', 'Cat'] SET p.consentAnalysis = true", nil, neo4j.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	var pseud struct{ ShortestTrustedPath *routeJSON }
	analyst.ok(route, avars, &pseud)
	got := pseud.ShortestTrustedPath
	if got == nil || got.Length != 3 || got.Steps[1].Node.ID != pa("Bob") || got.Steps[2].Node.ID != pa("Cat") {
		t.Fatalf("analyst's route should avoid Dan, who did not consent: %+v", got)
	}
	for _, st := range got.Steps {
		if st.Node.DisplayName != "" && !strings.HasPrefix(st.Node.DisplayName, "R-") {
			t.Errorf("analyst saw a name: %q in %+v", st.Node.DisplayName, got)
		}
	}
	var contacts struct {
		TrustedContacts []struct{ Node struct{ ID string } }
	}
	analyst.ok(`query($p: ID!) { trustedContacts(person: $p) { node { id } } }`, map[string]any{"p": pa("Ann")}, &contacts)
	if len(contacts.TrustedContacts) == 0 {
		t.Error("analyst sees no contact of Ann's")
	}
	for _, c := range contacts.TrustedContacts {
		if c.Node.ID == pa("Dan") || c.Node.ID == r.id("Dan") {
			t.Error("analyst sees Dan, who did not consent, among Ann's contacts")
		}
	}
	e.as(auth.Partner).fails(route, vars, "FORBIDDEN", "")
	e.as("").fails(route, vars, "UNAUTHENTICATED", "")
}

// TestQuestionFixes holds what each of the questions once got wrong, one case each.
func TestQuestionFixes(t *testing.T) {
	e := setup(t)
	r := loadRiverside(t, e)
	ctx := context.Background()

	t.Run("an ego network lists each node once, the centre only at 0", func(t *testing.T) {
		// Ann and Dan are joined by a KNOWS tie that has two waves: a walk back to Ann at hop 2.
		var ego struct {
			EgoNetwork struct {
				Nodes []struct {
					Hops int
					Node struct{ ID string }
				}
				Ties []struct{ ID string }
			}
		}
		e.with(t).ok(`query($id: ID!) { egoNetwork(id: $id, hops: 3) { nodes { hops node { id } } ties { id } } }`,
			map[string]any{"id": r.id("Ann")}, &ego)
		seen := map[string]bool{}
		for i, n := range ego.EgoNetwork.Nodes {
			if seen[n.Node.ID] {
				t.Errorf("node %s listed twice (hops %d)", n.Node.ID, n.Hops)
			}
			seen[n.Node.ID] = true
			if (n.Node.ID == r.id("Ann")) != (i == 0) || (i == 0) != (n.Hops == 0) {
				t.Errorf("node %d: %s at hops %d", i, n.Node.ID, n.Hops)
			}
		}
		ties := map[string]bool{}
		for _, tie := range ego.EgoNetwork.Ties {
			if ties[tie.ID] {
				t.Errorf("tie %s listed twice", tie.ID)
			}
			ties[tie.ID] = true
		}
	})

	reach := func(e *env, people []string, hops int, through string) (int, []int) {
		var res struct {
			Reach struct {
				People int
				ByHops []int
			}
		}
		e.ok(`query($p: [ID!]!, $h: Int, $t: ReachThrough) { reach(people: $p, hops: $h, through: $t) { people byHops } }`,
			map[string]any{"p": people, "h": hops, "t": through}, &res)
		return res.Reach.People, res.Reach.ByHops
	}
	t.Run("reach passes from person to person unless told otherwise", func(t *testing.T) {
		// Ann and Jo (in West, who knows nobody) both get their news at the library.
		if err := e.store.Load(ctx, nil, []cypher.LoadTie{
			{Kind: "GETS_INFO_FROM", From: r.id("Ann"), To: r.id("Library"), Props: map[string]any{}},
			{Kind: "GETS_INFO_FROM", From: r.id("Jo"), To: r.id("Library"), Props: map[string]any{}},
		}, nil); err != nil {
			t.Fatal(err)
		}
		e := e.with(t)
		if n, by := reach(e, []string{r.id("Ann")}, 2, "PEOPLE"); n != 4 || !slices.Equal(by, []int{2, 2}) {
			t.Errorf("word of mouth: %d %v, want 4 [2 2]", n, by)
		}
		// Through the library Jo is two ties from Ann.
		if n, by := reach(e, []string{r.id("Ann")}, 2, "ANYTHING"); n != 5 || !slices.Equal(by, []int{2, 3}) {
			t.Errorf("through anything: %d %v, want 5 [2 3]", n, by)
		}
		// A worker for East does not count Jo, who lives in West.
		if n, by := reach(e.as(auth.Worker, r.id("East")), []string{r.id("Ann")}, 2, "ANYTHING"); n != 4 || !slices.Equal(by, []int{2, 2}) {
			t.Errorf("a worker for East through anything: %d %v, want 4 [2 2]", n, by)
		}
		// A worker for West sees nobody Ann reaches: Ann herself is out of sight.
		e.as(auth.Worker, r.id("West")).fails(`query($p: [ID!]!) { reach(people: $p) { people } }`, map[string]any{"p": []string{r.id("Ann")}}, "NOT_FOUND", "people[0]")
		e.fails(`query($p: [ID!]!) { reach(people: $p, through: NOWHERE) { people } }`, map[string]any{"p": []string{r.id("Ann")}}, "BAD_USER_INPUT", "")
	})

	t.Run("familiar strangers in an area are those who see its residents", func(t *testing.T) {
		roles := func(area string) []string {
			var res struct {
				FamiliarStrangers []struct {
					Seen             int
					FamiliarStranger struct{ Role string }
				}
			}
			e.with(t).ok(`query($a: ID) { familiarStrangers(areaId: $a) { seen familiarStranger { role } } }`, map[string]any{"a": area}, &res)
			var out []string
			for _, f := range res.FamiliarStrangers {
				out = append(out, fmt.Sprintf("%s:%d", f.FamiliarStranger.Role, f.Seen))
			}
			return out
		}
		// The quizmaster has no area of his own, and sees Bob, who lives in East.
		if got := roles(r.id("East")); !slices.Equal(got, []string{"postman:3", "quizmaster:1"}) {
			t.Errorf("in East: %v", got)
		}
		if got := roles(r.id("Riverside")); !slices.Equal(got, []string{"postman:3", "quizmaster:1"}) {
			t.Errorf("in Riverside: %v", got)
		}
		if got := roles(r.id("West")); len(got) != 0 {
			t.Errorf("in West, where nobody sees Jo: %v", got)
		}
	})

	t.Run("isolates and networkSummary count isolated people by one definition", func(t *testing.T) {
		for _, area := range []string{"", r.id("East"), r.id("West"), r.id("Riverside")} {
			var res struct {
				Isolates       struct{ TotalCount int }
				NetworkSummary struct {
					Isolates            int
					IsolatedPeople      int
					IsolatedPeopleShare float64
				}
			}
			vars := map[string]any{"a": nil}
			if area != "" {
				vars["a"] = area
			}
			e.with(t).ok(`query($a: ID) { isolates(areaId: $a) { totalCount } networkSummary(scope: {areaId: $a}) { isolates isolatedPeople isolatedPeopleShare } }`, vars, &res)
			if res.NetworkSummary.IsolatedPeople != res.Isolates.TotalCount {
				t.Errorf("area %q: networkSummary.isolatedPeople %d, isolates %d", area, res.NetworkSummary.IsolatedPeople, res.Isolates.TotalCount)
			}
			// Jo gets her news at the library since the reach case above: Ivy alone, of 10.
			if area == "" && (res.Isolates.TotalCount != 1 || res.NetworkSummary.IsolatedPeopleShare != 0.1) {
				t.Errorf("everyone: %+v, want Ivy of 10 people", res)
			}
		}
	})

	t.Run("a route does not reveal a membership of a sensitive group", func(t *testing.T) {
		if _, err := neo4j.ExecuteQuery(ctx, e.driver, "MATCH (g:Group {name: 'Darts Team'}) SET g.sensitive = true WITH g MATCH (p:Person {displayName: 'Bob'}) MERGE (p)-[:MEMBER_OF {key: ''}]->(g) WITH p MATCH (q:Person) SET q.consentAnalysis = true", nil, neo4j.EagerResultTransformer); err != nil {
			t.Fatal(err)
		}
		route := `query($from: ID!) { shortestTrustedPath(from: $from, to: {activity: "darts"}) { length } }`
		vars := map[string]any{"from": r.id("Ann")}
		var res struct{ ShortestTrustedPath *struct{ Length int } }
		e.with(t).ok(route, vars, &res)
		if res.ShortestTrustedPath == nil || res.ShortestTrustedPath.Length != 2 {
			t.Errorf("an admin's route to the darts team: %+v", res.ShortestTrustedPath)
		}
		e.with(t).as(auth.Analyst).fails(route, map[string]any{"from": analystID(t, r.id("Ann"))}, "NOT_FOUND", "to")
		e.with(t).as(auth.Worker, r.id("West")).fails(route, vars, "NOT_FOUND", "from")
	})

	t.Run("every node has a label", func(t *testing.T) {
		cases := []struct{ name, want, asAnalyst string }{
			{"Ann", "Ann", ""},
			{"Postman", "postman", "postman"},
			{"Knit", "Knit and Natter", "Knit and Natter"},
			{"Library", "Library", "Library"},
			{"Council", "Riverside Council", "Riverside Council"},
			{"Gardening", "Gardening", "Gardening"},
			{"East", "East", "East"},
			{"w1", "Wave 1", "Wave 1"},
		}
		for _, c := range cases {
			var res struct{ Node struct{ Label string } }
			e.with(t).ok(`query($id: ID!) { node(id: $id) { label } }`, map[string]any{"id": r.id(c.name)}, &res)
			if res.Node.Label != c.want {
				t.Errorf("%s: label %q, want %q", c.name, res.Node.Label, c.want)
			}
		}
		if _, err := neo4j.ExecuteQuery(ctx, e.driver, "MATCH (p:Person {displayName: 'Ann'}) SET p.consentAnalysis = true, p.pseudonym = 'R-ann'", nil, neo4j.EagerResultTransformer); err != nil {
			t.Fatal(err)
		}
		// An analyst's label of Ann is their own pseudonym of her: neither her name nor the
		// stored pseudonym, which workers see beside it.
		var res struct {
			Node struct{ Label, Pseudonym string }
		}
		e.with(t).as(auth.Analyst).ok(`query($id: ID!) { node(id: $id) { label ... on Person { pseudonym } } }`, map[string]any{"id": analystID(t, r.id("Ann"))}, &res)
		if want := analystName(t, r.id("Ann")); res.Node.Label != want || res.Node.Pseudonym != want {
			t.Errorf("an analyst's label of Ann: %+v, want %s", res.Node, want)
		}
		var worker struct {
			Node struct{ Label, Pseudonym string }
		}
		e.with(t).ok(`query($id: ID!) { node(id: $id) { label ... on Person { pseudonym } } }`, map[string]any{"id": r.id("Ann")}, &worker)
		if worker.Node.Label != "Ann" || worker.Node.Pseudonym != "R-ann" {
			t.Errorf("an admin's label of Ann: %+v", worker.Node)
		}
		e.with(t).as(auth.Analyst).fails(`{ people(where: {pseudonym: {eq: "R-ann"}}) { totalCount } }`, nil, "FORBIDDEN", "where.pseudonym")
		var found struct{ Search []any }
		e.with(t).as(auth.Analyst).ok(`{ search(text: "R-ann") { score } }`, nil, &found)
		if len(found.Search) != 0 {
			t.Errorf("an analyst found the stored pseudonym by search: %+v", found.Search)
		}
	})
}
