package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"kith/auth"
)

// mapKinds are the tie kinds the community map reads.
const mapKinds = "[KNOWS, TRUSTS, GETS_INFO_FROM, ENCOURAGES, MEMBER_OF, USES, SEES]"

// mapTieKey is a tie as both reads give it, for comparing them.
type mapTieKey struct {
	From, To, Kind string
	Strength, For  *string
	Waves          []string
}

func (k mapTieKey) String() string {
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	return fmt.Sprintf("%s -%s(%s%s %s)-> %s", k.From, k.Kind, deref(k.Strength), deref(k.For), strings.Join(k.Waves, ","), k.To)
}

// nestedMapTies reads the map's ties the way the map used to: nested under every person
// (and familiar stranger) of the lists, page by page.
func nestedMapTies(t *testing.T, api *env) []string {
	t.Helper()
	var out []string
	for _, list := range []struct{ field, kinds string }{
		{"people", "[KNOWS, TRUSTS, GETS_INFO_FROM, ENCOURAGES, MEMBER_OF, USES]"},
		{"familiarStrangerList", "[SEES]"},
	} {
		var after *string
		for {
			var page map[string]struct {
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
				Nodes []struct {
					ID   string
					Ties []struct {
						Kind          string
						Strength, For *string
						To            struct{ ID string }
						Waves         []struct{ ID string }
					}
				}
			}
			api.ok(fmt.Sprintf(`query($after: String) { %s(first: 100, after: $after) { pageInfo { hasNextPage endCursor }
				nodes { id ties(direction: OUT, first: 500, kinds: %s) { kind strength for to { id } waves { id } } } } }`, list.field, list.kinds),
				map[string]any{"after": after}, &page)
			conn := page[list.field]
			for _, n := range conn.Nodes {
				for _, tie := range n.Ties {
					k := mapTieKey{From: n.ID, To: tie.To.ID, Kind: tie.Kind, Strength: tie.Strength, For: tie.For, Waves: []string{}}
					for _, w := range tie.Waves {
						k.Waves = append(k.Waves, w.ID)
					}
					slices.Sort(k.Waves)
					out = append(out, k.String())
				}
			}
			if !conn.PageInfo.HasNextPage {
				break
			}
			after = &conn.PageInfo.EndCursor
		}
	}
	slices.Sort(out)
	return out
}

// mapTies, the map's one read of its ties, gives each role exactly the ties the nested
// ties field gives it under the lists' people and familiar strangers: the same scope (a
// worker's areas, an analyst's consenting people), memberships of sensitive groups hidden
// alike, and the same ids (an analyst's own), so that the side panel can ask about them.
func TestMapTiesAreTheTiesFieldsTies(t *testing.T) {
	e, area := mapEnv(t)
	var sensitive struct {
		Groups struct{ Nodes []struct{ ID string } }
	}
	e.ok(`{ groups(first: 100, where: {sensitive: {eq: true}}) { nodes { id } } }`, nil, &sensitive)
	if len(sensitive.Groups.Nodes) == 0 {
		t.Fatal("the demo has no sensitive group: the test proves nothing about them")
	}
	counts := map[auth.Role]int{}
	for _, r := range []auth.Role{auth.Admin, auth.Worker, auth.Analyst} {
		t.Run(string(r), func(t *testing.T) {
			var areas []string
			if r == auth.Worker {
				areas = []string{area}
			}
			api := e.as(r, areas...).with(t)
			want := nestedMapTies(t, api)
			var got struct {
				MapTies []mapTieKey
			}
			api.ok(`{ mapTies(kinds: `+mapKinds+`) { from to kind strength for waves } }`, nil, &got)
			var have []string
			for _, k := range got.MapTies {
				slices.Sort(k.Waves)
				have = append(have, k.String())
			}
			slices.Sort(have)
			if len(want) == 0 {
				t.Fatal("the ties field gives no ties: the test proves nothing")
			}
			if !slices.Equal(have, want) {
				t.Errorf("mapTies gives %d ties, the ties field %d\nmapTies: %v\nties:    %v", len(have), len(want), have, want)
			}
			counts[r] = len(have)
			// The ids an admin knows the sensitive groups by, as this role knows them.
			hidden := map[string]bool{}
			for _, g := range sensitive.Groups.Nodes {
				id := g.ID
				if r == auth.Analyst {
					id = analystID(t, id)
				}
				hidden[id] = true
			}
			members := 0
			for _, k := range got.MapTies {
				if k.Kind == "MEMBER_OF" && hidden[k.To] {
					members++
				}
			}
			if r == auth.Admin && members == 0 {
				t.Error("no admin sees a membership of a sensitive group: the test proves nothing about them")
			}
			if r == auth.Analyst && members > 0 {
				t.Errorf("an analyst gets %d memberships of sensitive groups", members)
			}
		})
	}
	if counts[auth.Worker] >= counts[auth.Admin] || counts[auth.Analyst] >= counts[auth.Admin] {
		t.Errorf("ties per role %v: a worker and an analyst should see fewer than an admin", counts)
	}
	e.ok(`{ mapTies(kinds: []) { from } }`, nil, nil)
}
