package identity_test

import (
	"context"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/identity"
	"kith/internal/neo4jtest"
)

// fixture: areas a and b are neighbours (both in p), c is elsewhere (in q).
const fixture = `
CREATE (p:Area:Entity {id: 'area_p', name: 'P'}), (q:Area:Entity {id: 'area_q', name: 'Q'}),
       (a:Area:Entity {id: 'area_a', name: 'A'})-[:IN]->(p), (b:Area:Entity {id: 'area_b', name: 'B'})-[:IN]->(p),
       (c:Area:Entity {id: 'area_c', name: 'C'})-[:IN]->(q)
CREATE (:Person:Entity {id: 'person_okafor', displayName: 'Margaret Okafor', ageBand: '65-74'})-[:LIVES_IN]->(a),
       (:Person:Entity {id: 'person_smith1', displayName: 'John Smith', ageBand: '35-44'})-[:LIVES_IN]->(a),
       (:Person:Entity {id: 'person_smith2', displayName: 'John Smith', ageBand: '75+'})-[:LIVES_IN]->(a),
       (:Person:Entity {id: 'person_gp', displayName: 'Raj Patel', roles: ['GP']})-[:LIVES_IN]->(a),
       (:Person:Entity {id: 'person_walker', displayName: 'Jean Walker'})-[:LIVES_IN]->(c),
       (:Person:Entity {id: 'person_keyed', displayName: 'Sam Hill', sourceKeys: ['iv9/alter1']})-[:LIVES_IN]->(b),
       (:FamiliarStranger:Entity {id: 'familiar_post', role: 'postman'})-[:IN]->(b)`

func setup(t *testing.T) neo4j.DriverWithContext {
	t.Helper()
	d := neo4jtest.Driver(t, neo4jtest.URI(t))
	neo4jtest.Reset(t, d)
	ctx := context.Background()
	if _, err := neo4j.ExecuteQuery(ctx, d, fixture, nil, neo4j.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	return d
}

func match(t *testing.T, d neo4j.DriverWithContext, ms []identity.Mention) []identity.Decision {
	t.Helper()
	m, err := identity.NewMatcher(identity.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := d.NewSession(ctx, neo4j.SessionConfig{})
	defer s.Close(ctx)
	out, err := s.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) { return m.Match(ctx, tx, ms) })
	if err != nil {
		t.Fatal(err)
	}
	return out.([]identity.Decision)
}

// TestMatchDecisions: the matcher's decision on crafted mentions against a small graph.
func TestMatchDecisions(t *testing.T) {
	d := setup(t)
	type want struct {
		kind   identity.DecisionKind
		person string // "" for a new id; "=N" for the id decided for mention N
		cands  []string
	}
	cases := []struct {
		name     string
		mentions []identity.Mention
		want     []want
	}{
		{"nickname, same area and age band", []identity.Mention{{SourceKey: "k1", Name: "Peggy Okafor", AreaID: "area_a", AgeBand: "65-74"}},
			[]want{{identity.Linked, "person_okafor", nil}}},
		{"spelling variant of the surname", []identity.Mention{{SourceKey: "k1", Name: "Margaret Okafour", AreaID: "area_a", AgeBand: "65-74"}},
			[]want{{identity.Linked, "person_okafor", nil}}},
		{"title and surname is queued", []identity.Mention{{SourceKey: "k1", Name: "Mrs Okafor", AreaID: "area_a"}},
			[]want{{identity.Queued, "", []string{"person_okafor"}}}},
		{"homonyms in one street without an age: queued against both", []identity.Mention{{SourceKey: "k1", Name: "John Smith", AreaID: "area_a"}},
			[]want{{identity.Queued, "", []string{"person_smith1", "person_smith2"}}}},
		{"homonyms told apart by age band", []identity.Mention{{SourceKey: "k1", Name: "Johnny Smith", AreaID: "area_a", AgeBand: "75+"}},
			[]want{{identity.Linked, "person_smith2", nil}}},
		{"the GP by role", []identity.Mention{{SourceKey: "k1", Name: "the GP", Role: "GP", AreaID: "area_a"}},
			[]want{{identity.Linked, "person_gp", nil}}},
		{"Dr Patel by title and role", []identity.Mention{{SourceKey: "k1", Name: "Dr Patel", Role: "doctor", AreaID: "area_a"}},
			[]want{{identity.Linked, "person_gp", nil}}},
		{"a resident is not the GP", []identity.Mention{{SourceKey: "k1", Name: "Raj Patel", AreaID: "area_a"}},
			[]want{{identity.New, "", nil}}},
		{"the postman in his area", []identity.Mention{{SourceKey: "k1", Name: "the postie", Role: "postman", AreaID: "area_b"}},
			[]want{{identity.Linked, "familiar_post", nil}}},
		{"the postman said to be in the neighbouring area is queued", []identity.Mention{{SourceKey: "k1", Name: "the postman", AreaID: "area_a"}},
			[]want{{identity.Queued, "", []string{"familiar_post"}}}},
		{"same name outside the neighbours is new", []identity.Mention{{SourceKey: "k1", Name: "Jean Walker", AreaID: "area_a"}},
			[]want{{identity.New, "", nil}}},
		{"a mention already resolved is its person", []identity.Mention{{SourceKey: "iv9/alter1", Name: "Sam", AreaID: "area_b"}},
			[]want{{identity.Linked, "person_keyed", nil}}},
		{"two people one respondent named are two people", []identity.Mention{
			{SourceKey: "k1", Name: "Chidi Eze", AreaID: "area_a", NamedBy: "r1", InterviewID: "iv1"},
			{SourceKey: "k2", Name: "Chidi Eze", AreaID: "area_a", NamedBy: "r1", InterviewID: "iv1"}},
			[]want{{identity.New, "", nil}, {identity.New, "", nil}}},
		{"two respondents name one person in the batch", []identity.Mention{
			{SourceKey: "k1", Name: "Ngozi Adeyemi", AreaID: "area_a", AgeBand: "25-34", NamedBy: "r1", InterviewID: "iv1"},
			{SourceKey: "k2", Name: "Ngozi Adeyemmi", AreaID: "area_a", AgeBand: "25-34", NamedBy: "r2", InterviewID: "iv2"}},
			[]want{{identity.New, "", nil}, {identity.Linked, "=0", nil}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := match(t, d, c.mentions)
			for i, w := range c.want {
				g := got[i]
				if g.Kind != w.kind {
					t.Fatalf("mention %d: kind %v, want %v (%+v)", i, g.Kind, w.kind, g)
				}
				switch {
				case w.person == "" && g.PersonID == "":
					t.Fatalf("mention %d: no id for the new person", i)
				case len(w.person) > 1 && w.person[0] == '=':
					if g.PersonID != got[w.person[1]-'0'].PersonID {
						t.Fatalf("mention %d: linked to %s, want the person of mention %c", i, g.PersonID, w.person[1])
					}
				case w.person != "" && g.PersonID != w.person:
					t.Fatalf("mention %d: person %s, want %s (%+v)", i, g.PersonID, w.person, g)
				}
				var ids []string
				for _, cd := range g.Candidates {
					ids = append(ids, cd.PersonID)
					if cd.Score < 0 || cd.Score > 1 || len(cd.Reasons) == 0 {
						t.Fatalf("candidate without a score or evidence: %+v", cd)
					}
				}
				if !sameSet(ids, w.cands) {
					t.Fatalf("mention %d: candidates %v, want %v", i, ids, w.cands)
				}
			}
		})
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

// TestRecordCandidates: queued candidates become POSSIBLY_SAME_AS ties once, except for a
// pair kept apart.
func TestRecordCandidates(t *testing.T) {
	d := setup(t)
	ctx := context.Background()
	if _, err := neo4j.ExecuteQuery(ctx, d, `MATCH (a:Area {id: 'area_a'})
		CREATE (n:Person:Entity {id: 'person_new', displayName: 'John Smith'})-[:LIVES_IN]->(a)
		WITH n MATCH (s:Person {id: 'person_smith2'}) CREATE (n)-[:KEEP_APART]->(s)`, nil, neo4j.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	cands := []identity.Candidate{{PersonID: "person_smith1", Score: 0.8, Reasons: []string{"same surname"}},
		{PersonID: "person_smith2", Score: 0.8, Reasons: []string{"same surname"}}}
	for run := 0; run < 2; run++ {
		s := d.NewSession(ctx, neo4j.SessionConfig{})
		n, err := s.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			return identity.RecordCandidates(ctx, tx, "person_new", cands)
		})
		s.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n.(int) != 1 {
			t.Fatalf("run %d: recorded %d, want 1 (the pair kept apart left out)", run, n)
		}
	}
	res, err := neo4j.ExecuteQuery(ctx, d, `MATCH (:Person {id: 'person_new'})-[r:POSSIBLY_SAME_AS]->(b) RETURN b.id AS b, r.score AS s`, nil, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 1 || res.Records[0].AsMap()["b"] != "person_smith1" {
		t.Fatalf("ties: %v", res.Records)
	}
}
