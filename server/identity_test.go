package server_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
	"kith/identity"
)

// identityFixture: Barton and Winton; in Barton Margaret Okafor (keep) and Peggy Okafor
// (dup), who has ties, a membership and an observation of her own; in Winton John and Jon
// Smith. The matcher's queue holds dup → keep and jon → john.
func identityFixture(t *testing.T, e *env) (ids map[string]string, barton, winton string) {
	t.Helper()
	var a struct {
		CreateAreas []struct{ ID string } `json:"createAreas"`
	}
	e.ok(`mutation { createAreas(input: [{externalId: "barton", name: "Barton"}, {externalId: "winton", name: "Winton"}]) { id } }`, nil, &a)
	barton, winton = a.CreateAreas[0].ID, a.CreateAreas[1].ID
	var p struct {
		CreatePeople []struct{ ID, ExternalID string } `json:"createPeople"`
	}
	e.ok(`mutation($b: ID, $w: ID) {
	  createGroups(input: [{externalId: "knit", name: "Knit and Natter"}]) { id }
	  createPeople(input: [
	    {externalId: "keep", displayName: "Margaret Okafor", areaId: $b},
	    {externalId: "dup", displayName: "Peggy Okafor", areaId: $b},
	    {externalId: "friend", displayName: "Ann Lee", areaId: $b},
	    {externalId: "john", displayName: "John Smith", areaId: $w},
	    {externalId: "jon", displayName: "Jon Smith", areaId: $w}]) { id externalId }
	}`, map[string]any{"b": barton, "w": winton}, &p)
	ids = map[string]string{}
	for _, x := range p.CreatePeople {
		ids[x.ExternalID] = x.ID
	}
	person := func(x string) map[string]any { return ref("PERSON", x) }
	e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": []map[string]any{
		{"kind": "KNOWS", "from": person("dup"), "to": person("friend"), "strength": "STRONG"},
		{"kind": "TRUSTS", "from": person("friend"), "to": person("dup"), "for": "HELP"},
		{"kind": "TRUSTS", "from": person("friend"), "to": person("keep"), "for": "ADVICE"},
		{"kind": "MEMBER_OF", "from": person("dup"), "to": ref("GROUP", "knit")},
	}}, nil)
	ctx := context.Background()
	if _, err := neo4j.ExecuteQuery(ctx, e.driver, `MATCH (p:Person {id: $dup})
	  CREATE (p)-[:OBSERVED]->(:Observation {id: 'obs_1', personId: $dup, waveId: 'wave_1', ageBand: '65-74'})
	  SET p.sourceKeys = ['iv1/alter3']`, map[string]any{"dup": ids["dup"]}, neo4j.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{"dup", "keep"}, {"jon", "john"}} {
		sess := e.driver.NewSession(ctx, neo4j.SessionConfig{})
		_, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			return identity.RecordCandidates(ctx, tx, ids[pair[0]], []identity.Candidate{
				{PersonID: ids[pair[1]], Score: map[string]float64{"dup": 0.8, "jon": 0.7}[pair[0]], Reasons: []string{"same surname (+5.0)"}}})
		})
		sess.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids, barton, winton
}

const queueQuery = `query($n: Int, $after: String) { identityCandidates(first: $n, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { personId personName candidateId candidateName score reasons } } } }`

type queuePage struct {
	IdentityCandidates struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   string
		}
		Edges []struct {
			Node struct {
				PersonID, PersonName, CandidateID, CandidateName string
				Score                                            float64
				Reasons                                          []string
			}
		}
	}
}

// TestIdentityQueueAccess: every role against the review queue and its mutations.
func TestIdentityQueueAccess(t *testing.T) {
	e := setup(t)
	ids, barton, winton := identityFixture(t, e)
	// What each role sees of the queue: the pairs (person→candidate by external id).
	cases := []struct {
		name  string
		as    *env
		pairs []string
		code  string
	}{
		{"admin", e, []string{"dup→keep", "jon→john"}, ""},
		{"worker of Barton", e.as(auth.Worker, barton), []string{"dup→keep"}, ""},
		{"worker of Winton", e.as(auth.Worker, winton), []string{"jon→john"}, ""},
		{"analyst", e.as(auth.Analyst), nil, "FORBIDDEN"},
		{"partner", e.as(auth.Partner), nil, "FORBIDDEN"},
		{"researcher", e.as(auth.Researcher), nil, "FORBIDDEN"},
		{"anonymous", e.as(""), nil, "UNAUTHENTICATED"},
	}
	byID := map[string]string{}
	for k, v := range ids {
		byID[v] = k
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			as := c.as.with(t)
			if c.code != "" {
				as.fails(queueQuery, nil, c.code, "")
				for _, m := range []string{
					`mutation($a: ID!, $b: ID!) { mergePeople(keep: $a, merge: $b) { changed } }`,
					`mutation($a: ID!, $b: ID!) { unmergePeople(keep: $a, merge: $b) { changed } }`,
					`mutation($a: ID!, $b: ID!) { keepApart(a: $a, b: $b) }`,
				} {
					r := as.do(m, map[string]any{"a": ids["keep"], "b": ids["dup"]})
					if len(r.Errors) == 0 {
						t.Fatalf("%s: no error", m)
					}
					if code := r.Errors[0].Extensions["code"]; code != c.code && code != "BAD_USER_INPUT" {
						t.Fatalf("%s: %v, want %s", m, r.Errors, c.code)
					}
				}
				return
			}
			var q queuePage
			as.ok(queueQuery, nil, &q)
			var got []string
			for _, ed := range q.IdentityCandidates.Edges {
				n := ed.Node
				got = append(got, byID[n.PersonID]+"→"+byID[n.CandidateID])
				if len(n.Reasons) == 0 || n.Score <= 0 || n.Score > 1 || n.PersonName == "" {
					t.Fatalf("pair without evidence: %+v", n)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.pairs, ",") || q.IdentityCandidates.TotalCount != len(c.pairs) {
				t.Fatalf("queue %v (total %d), want %v", got, q.IdentityCandidates.TotalCount, c.pairs)
			}
		})
	}
	t.Run("paging", func(t *testing.T) {
		var p1, p2 queuePage
		e.with(t).ok(queueQuery, map[string]any{"n": 1}, &p1)
		if !p1.IdentityCandidates.PageInfo.HasNextPage || len(p1.IdentityCandidates.Edges) != 1 {
			t.Fatalf("first page %+v", p1)
		}
		e.with(t).ok(queueQuery, map[string]any{"n": 1, "after": p1.IdentityCandidates.PageInfo.EndCursor}, &p2)
		if p2.IdentityCandidates.PageInfo.HasNextPage || len(p2.IdentityCandidates.Edges) != 1 ||
			byID[p2.IdentityCandidates.Edges[0].Node.PersonID] != "jon" {
			t.Fatalf("second page %+v", p2)
		}
		e.with(t).fails(queueQuery, map[string]any{"n": -1}, "BAD_USER_INPUT", "first")
		e.with(t).fails(queueQuery, map[string]any{"after": "nonsense"}, "BAD_USER_INPUT", "after")
	})
	t.Run("a worker cannot merge, unmerge or keep apart people outside their areas", func(t *testing.T) {
		before := e.counts()
		w := e.as(auth.Worker, winton).with(t)
		w.fails(`mutation($a: ID!, $b: ID!) { mergePeople(keep: $a, merge: $b) { changed } }`, map[string]any{"a": ids["keep"], "b": ids["dup"]}, "FORBIDDEN", "keep")
		w.fails(`mutation($a: ID!, $b: ID!) { keepApart(a: $a, b: $b) }`, map[string]any{"a": ids["john"], "b": ids["dup"]}, "FORBIDDEN", "")
		w.fails(`mutation($a: ID!, $b: ID!) { unmergePeople(keep: $a, merge: $b) { changed } }`, map[string]any{"a": ids["keep"], "b": ids["dup"]}, "FORBIDDEN", "keep")
		if after := e.counts(); after != before {
			t.Fatalf("refused writes changed the graph: %v → %v", before, after)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		cases := []struct{ q, a, b, code, field string }{
			{`mutation($a: ID!, $b: ID!) { mergePeople(keep: $a, merge: $b) { changed } }`, ids["keep"], ids["keep"], "BAD_USER_INPUT", "merge"},
			{`mutation($a: ID!, $b: ID!) { mergePeople(keep: $a, merge: $b) { changed } }`, barton, ids["dup"], "BAD_USER_INPUT", "keep"},
			{`mutation($a: ID!, $b: ID!) { mergePeople(keep: $a, merge: $b) { changed } }`, ids["keep"], "per_0000000000000000000000", "", ""},
			{`mutation($a: ID!, $b: ID!) { keepApart(a: $a, b: $b) }`, ids["john"], ids["john"], "BAD_USER_INPUT", "b"},
		}
		for i, c := range cases {
			r := e.with(t).do(c.q, map[string]any{"a": c.a, "b": c.b})
			if len(r.Errors) == 0 {
				t.Fatalf("case %d: no error: %s", i, r.Data)
			}
			if c.code != "" && (r.Errors[0].Extensions["code"] != c.code || r.Errors[0].Extensions["field"] != c.field) {
				t.Fatalf("case %d: %+v, want %s %s", i, r.Errors[0], c.code, c.field)
			}
		}
	})
}

// ties lists a node's ties as type, direction, other end and properties (without the
// merge mark), sorted.
func ties(t *testing.T, e *env, id string) []string {
	t.Helper()
	res, err := neo4j.ExecuteQuery(context.Background(), e.driver, `MATCH (p {id: $id})-[r]-(o)
	  RETURN type(r) AS t, startNode(r) = p AS out, o.id AS o, properties(r) AS props`, map[string]any{"id": id}, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range res.Records {
		m := r.AsMap()
		props := m["props"].(map[string]any)
		delete(props, "mergedFrom")
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, fmt.Sprintf("%s=%v", k, props[k]))
		}
		sort.Strings(keys)
		out = append(out, fmt.Sprintf("%v %v %v %v", m["t"], m["out"], m["o"], keys))
	}
	sort.Strings(out)
	return out
}

// TestMergeUnmerge: a worker merges a duplicate into the person kept (ties, membership,
// observation and source keys move, audited, idempotent), then undoes it exactly.
func TestMergeUnmerge(t *testing.T) {
	e := setup(t)
	ids, barton, _ := identityFixture(t, e)
	w := e.as(auth.Worker, barton)
	keepBefore, dupBefore := ties(t, e, ids["keep"]), ties(t, e, ids["dup"])
	merge := `mutation($a: ID!, $b: ID!) { mergePeople(keep: $a, merge: $b) { keep merged ties changed } }`
	unmerge := `mutation($a: ID!, $b: ID!) { unmergePeople(keep: $a, merge: $b) { keep merged ties changed } }`
	type result struct {
		Keep, Merged string
		Ties         int
		Changed      bool
	}
	var m struct{ MergePeople result }
	w.ok(merge, map[string]any{"a": ids["keep"], "b": ids["dup"]}, &m)
	// KNOWS, TRUSTS (in), MEMBER_OF, OBSERVED move; the POSSIBLY_SAME_AS to keep and LIVES_IN stay behind.
	if !m.MergePeople.Changed || m.MergePeople.Ties != 4 {
		t.Fatalf("merge: %+v", m.MergePeople)
	}
	var node struct{ Node *struct{ ID string } }
	w.ok(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": ids["dup"]}, &node)
	if node.Node != nil {
		t.Fatalf("the merged person is still readable: %+v", node.Node)
	}
	var mem struct {
		Node struct {
			Memberships []struct{ Group struct{ Name string } }
		}
	}
	w.ok(`query($id: ID!) { node(id: $id) { ... on Person { memberships { group { name } } } } }`, map[string]any{"id": ids["keep"]}, &mem)
	if len(mem.Node.Memberships) != 1 || mem.Node.Memberships[0].Group.Name != "Knit and Natter" {
		t.Fatalf("memberships after merge: %+v", mem)
	}
	if got := len(ties(t, e, ids["keep"])); got != len(keepBefore)+4 {
		t.Fatalf("keep has %d ties, want %d", got, len(keepBefore)+4)
	}
	res, err := neo4j.ExecuteQuery(context.Background(), e.driver, `MATCH (a:AuditEvent) WHERE $dup IN a.ids AND a.merge = 'merge'
	  RETURN count(a) AS n`, map[string]any{"dup": ids["dup"]}, neo4j.EagerResultTransformer)
	if err != nil || res.Records[0].AsMap()["n"].(int64) != 1 {
		t.Fatalf("audit of the merge: %v %v", res, err)
	}
	// The matcher now finds the person kept by the duplicate's source key.
	sess := e.driver.NewSession(context.Background(), neo4j.SessionConfig{})
	mt, _ := identity.NewMatcher(identity.DefaultConfig())
	d, err := sess.ExecuteRead(context.Background(), func(tx neo4j.ManagedTransaction) (any, error) {
		return mt.Match(context.Background(), tx, []identity.Mention{{SourceKey: "iv1/alter3", Name: "Peggy", AreaID: barton}})
	})
	sess.Close(context.Background())
	if err != nil || d.([]identity.Decision)[0].PersonID != ids["keep"] {
		t.Fatalf("re-import after merge: %+v %v", d, err)
	}
	before := e.counts()
	w.ok(merge, map[string]any{"a": ids["keep"], "b": ids["dup"]}, &m)
	if m.MergePeople.Changed || e.counts() != before {
		t.Fatalf("merging again changed something: %+v", m.MergePeople)
	}
	e.fails(merge, map[string]any{"a": ids["john"], "b": ids["dup"]}, "CONFLICT", "merge")

	var u struct{ UnmergePeople result }
	w.ok(unmerge, map[string]any{"a": ids["keep"], "b": ids["dup"]}, &u)
	if !u.UnmergePeople.Changed || u.UnmergePeople.Ties != 4 {
		t.Fatalf("unmerge: %+v", u.UnmergePeople)
	}
	if k, dd := ties(t, e, ids["keep"]), ties(t, e, ids["dup"]); strings.Join(k, "\n") != strings.Join(keepBefore, "\n") ||
		strings.Join(dd, "\n") != strings.Join(dupBefore, "\n") {
		t.Fatalf("unmerge did not restore the ties:\nkeep %v\nwant %v\ndup %v\nwant %v", k, keepBefore, dd, dupBefore)
	}
	w.ok(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": ids["dup"]}, &node)
	if node.Node == nil {
		t.Fatal("the unmerged person is not readable")
	}
	w.ok(unmerge, map[string]any{"a": ids["keep"], "b": ids["dup"]}, &u)
	if u.UnmergePeople.Changed {
		t.Fatalf("unmerging again changed something: %+v", u.UnmergePeople)
	}
	// Erasing the person kept erases the record merged into them.
	w.ok(merge, map[string]any{"a": ids["keep"], "b": ids["dup"]}, &m)
	var er struct{ ErasePerson struct{ People int } }
	e.ok(`mutation($id: ID!) { erasePerson(id: $id) { people } }`, map[string]any{"id": ids["keep"]}, &er)
	res, err = neo4j.ExecuteQuery(context.Background(), e.driver, `MATCH (n) WHERE n.id IN [$keep, $dup] RETURN count(n) AS n`,
		map[string]any{"keep": ids["keep"], "dup": ids["dup"]}, neo4j.EagerResultTransformer)
	if err != nil || er.ErasePerson.People != 2 || res.Records[0].AsMap()["n"].(int64) != 0 {
		t.Fatalf("erasure after a merge: %+v, %v left, %v", er, res, err)
	}
}

// TestKeepApart: a pair kept apart leaves the queue and is not queued again by a re-import.
func TestKeepApart(t *testing.T) {
	e := setup(t)
	ids, _, winton := identityFixture(t, e)
	w := e.as(auth.Worker, winton)
	q := `mutation($a: ID!, $b: ID!) { keepApart(a: $a, b: $b) }`
	for i, want := range []bool{true, false} {
		var r struct{ KeepApart bool }
		w.ok(q, map[string]any{"a": ids["jon"], "b": ids["john"]}, &r)
		if r.KeepApart != want {
			t.Fatalf("call %d: %v, want %v", i, r.KeepApart, want)
		}
	}
	var page queuePage
	w.ok(queueQuery, nil, &page)
	if page.IdentityCandidates.TotalCount != 0 {
		t.Fatalf("queue after keepApart: %+v", page)
	}
	ctx := context.Background()
	sess := e.driver.NewSession(ctx, neo4j.SessionConfig{})
	defer sess.Close(ctx)
	n, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return identity.RecordCandidates(ctx, tx, ids["john"], []identity.Candidate{{PersonID: ids["jon"], Score: 0.9, Reasons: []string{"x"}}})
	})
	if err != nil || n.(int) != 0 {
		t.Fatalf("re-import queued the pair again: %v %v", n, err)
	}
}

// TestMergeFoldsTies: one tie per meaning survives a merge. When the person kept already
// has the duplicate's tie (same kind, other end and meaning key), the two are folded into
// keep's, which takes the duplicate's waves; ties of another meaning still move. Undoing
// the merge takes away only the waves the fold added.
func TestMergeFoldsTies(t *testing.T) {
	e := setup(t)
	ids, barton, _ := identityFixture(t, e)
	w := e.as(auth.Worker, barton)
	person := func(x string) map[string]any { return ref("PERSON", x) }
	e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": []map[string]any{
		{"kind": "MEMBER_OF", "from": person("keep"), "to": ref("GROUP", "knit")},
		{"kind": "KNOWS", "from": person("keep"), "to": person("friend"), "strength": "WEAK"},
	}}, nil)
	exec := func(q string) []*neo4j.Record {
		t.Helper()
		res, err := neo4j.ExecuteQuery(context.Background(), e.driver, q, map[string]any{"keep": ids["keep"], "dup": ids["dup"]}, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatal(err)
		}
		return res.Records
	}
	exec(`MATCH (:Person {id: $dup})-[r:MEMBER_OF]->() SET r.waves = ['wave_1', 'wave_2']`)
	exec(`MATCH (:Person {id: $keep})-[r:MEMBER_OF]->() SET r.waves = ['wave_2', 'wave_3']`)
	memberships := `query($id: ID!) { node(id: $id) { ... on Person { memberships { group { name } waves { id } } } } }`
	type page struct {
		Node struct {
			Memberships []struct {
				Group struct{ Name string }
				Waves []struct{ ID string }
			}
		}
	}

	w.ok(`mutation($a: ID!, $b: ID!) { mergePeople(keep: $a, merge: $b) { changed } }`, map[string]any{"a": ids["keep"], "b": ids["dup"]}, nil)
	if recs := exec(`MATCH (:Person {id: $keep})-[r:MEMBER_OF]->(:Group) RETURN r.waves, r.foldedWaves`); len(recs) != 1 ||
		fmt.Sprint(recs[0].Values[0]) != "[wave_1 wave_2 wave_3]" || fmt.Sprint(recs[0].Values[1]) != "["+ids["dup"]+"|wave_1]" {
		t.Fatalf("memberships of the person kept after the merge: %v", recs)
	}
	var got page
	w.ok(memberships, map[string]any{"id": ids["keep"]}, &got)
	if len(got.Node.Memberships) != 1 {
		t.Fatalf("the person kept lists %d memberships, want one: %+v", len(got.Node.Memberships), got)
	}
	// A STRONG KNOWS (the duplicate's) and a WEAK one (keep's) are two meanings: both stay.
	if n := exec(`MATCH (:Person {id: $keep})-[r:KNOWS]->(:Person) RETURN count(r)`)[0].Values[0].(int64); n != 2 {
		t.Fatalf("KNOWS ties of the person kept: %d, want 2", n)
	}

	w.ok(`mutation($a: ID!, $b: ID!) { unmergePeople(keep: $a, merge: $b) { changed } }`, map[string]any{"a": ids["keep"], "b": ids["dup"]}, nil)
	recs := exec(`MATCH (p:Person)-[r:MEMBER_OF]->(:Group) WHERE p.id IN [$keep, $dup]
	  RETURN p.id = $keep, r.waves, r.foldedWaves, r.foldedInto ORDER BY p.id = $keep`)
	if len(recs) != 2 || fmt.Sprint(recs[0].Values[1:]) != "[[wave_1 wave_2] <nil> <nil>]" || fmt.Sprint(recs[1].Values[1:]) != "[[wave_2 wave_3] <nil> <nil>]" {
		t.Fatalf("memberships after the unmerge: %v", recs)
	}
}
