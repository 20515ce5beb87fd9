package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
	"kith/cypher"
	"kith/pseudonym"
	"kith/server"
)

// adversary is the fixture of the research copy's tests: the access tests' world, plus
// what a researcher must never reach, each carrying a string that is searched for in
// every answer.
type adversary struct {
	world
	postman, clockGift, wave string
	// needles must appear in no answer of the copy: names, contacts, externalIds, consent
	// details, sensitive groups, the non-consenting person's pseudonym, audit subjects.
	needles []string
	// liveIDs are every id of the live graph (nodes, ties, audit records, analysis runs).
	liveIDs []string
}

func (e *env) adversary() adversary {
	e.t.Helper()
	a := adversary{world: e.world()}
	var fs struct {
		CreateFamiliarStrangers []struct{ ID string } `json:"createFamiliarStrangers"`
	}
	e.ok(`mutation($a: ID) { createFamiliarStrangers(input: [{externalId: "ext-postie-4417", role: "postman", displayName: "Pat Quillwhistle", areaId: $a}]) { id } }`,
		map[string]any{"a": a.barton}, &fs)
	a.postman = fs.CreateFamiliarStrangers[0].ID
	var g struct {
		CreateGifts []struct{ ID string } `json:"createGifts"`
	}
	e.ok(`mutation { createGifts(input: [{externalId: "ext-gift-9931", kind: HANDS, description: "Ned mends clocks in secret"}]) { id } }`, nil, &g)
	a.clockGift = g.CreateGifts[0].ID
	var wv struct {
		CreateWaves []struct{ ID string } `json:"createWaves"`
	}
	e.ok(`mutation { createWaves(input: [{externalId: "ext-wave-5521", name: "Spring survey", collectedOn: "2025-03-01"}]) { id } }`, nil, &wv)
	a.wave = wv.CreateWaves[0].ID
	e.ok(`mutation($in: [TieInput!]!) { createTies(input: $in) { id } }`, map[string]any{"in": []map[string]any{
		{"kind": "SEES", "from": map[string]any{"id": a.postman}, "to": map[string]any{"id": a.moira}, "frequency": "DAILY"},
		{"kind": "SEES", "from": map[string]any{"id": a.postman}, "to": map[string]any{"id": a.ned}, "frequency": "WEEKLY"},
		{"kind": "OFFERS", "from": map[string]any{"id": a.ned}, "to": map[string]any{"id": a.clockGift}},
		{"kind": "TRUSTS", "for": "HELP", "wave": a.wave, "source": "door-step interview",
			"from": map[string]any{"id": a.wendy}, "to": map[string]any{"id": a.moira}},
	}}, nil)
	// What the wave measured about Moira (who consented to analysis) and Ned (who did not).
	e.ok(`mutation($m: ID!, $n: ID!, $w: ID!) { recordObservations(input: [
	  {person: $m, wave: $w, method: DOORSTEP, interviewId: "iv-secret-77", wemwbs: 47, onsAnxious: 9, employment: RETIRED, household: "older living alone"},
	  {person: $n, wave: $w, method: DOORSTEP, wemwbs: 33, employment: UNEMPLOYED}]) { count } }`,
		map[string]any{"m": a.moira, "n": a.ned, "w": a.wave}, nil)
	// An analysis run, with scores on the nodes, and reads that leave audit records.
	e.ok(`mutation { runAnalysis(scope: {directed: false}, measures: [DEGREE]) { id } }`, nil, nil)
	e.as(auth.Worker, a.eccles).ok(`{ people { nodes { displayName contact } } }`, nil, nil)
	a.needles = []string{
		"Moira Barton", "Ned Barton", "Wendy Winton", "Pat Quillwhistle", "0161 000",
		"moira", "wendy", "ext-postie-4417", "ext-gift-9931", "ext-wave-5521",
		"R-000001", "R-000002", "R-000003", "iv-secret-77", "UNEMPLOYED", "Dementia Café", "Winton Memory Club", "Ned mends clocks", "paper form",
		"displayName", "contact", "wellbeing", "consent", "externalId", "score_",
		"AuditEvent", "AnalysisRun", "test-admin", "test-worker",
	}
	res, err := neo4j.ExecuteQuery(context.Background(), e.driver, `CALL () { MATCH (n) WHERE n.id IS NOT NULL RETURN collect(n.id) AS nodes }
CALL () { MATCH ()-[r]->() WHERE r.id IS NOT NULL RETURN collect(r.id) AS ties }
RETURN nodes + ties`, nil, neo4j.EagerResultTransformer)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, id := range res.Records[0].Values[0].([]any) {
		a.liveIDs = append(a.liveIDs, id.(string))
	}
	if len(a.liveIDs) < 20 {
		e.t.Fatalf("the fixture holds only %d ids", len(a.liveIDs))
	}
	return a
}

// leaks returns what of the adversary's needles and live ids the text holds.
func (a adversary) leaks(text string) []string {
	var out []string
	for _, s := range append(slices.Clone(a.needles), a.liveIDs...) {
		if strings.Contains(text, s) {
			out = append(out, s)
		}
	}
	return out
}

// cypherRaw posts to /cypher and returns the status, the body as text and decoded.
func (e *env) cypherRaw(query string, params map[string]any) (int, string, map[string]any) {
	e.t.Helper()
	status, out := e.cypherDo(query, params)
	raw, _ := json.Marshal(out)
	return status, string(raw), out
}

// errorCode returns the code of an error answer, "" for an answer without errors.
func errorCode(out map[string]any) string {
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	code, _ := errs[0].(map[string]any)["extensions"].(map[string]any)["code"].(string)
	return code
}

// refresh runs refreshResearchCopy as an admin and returns its counts.
func (e *env) refresh() (people, nodes, ties int, copiedAt string) {
	e.t.Helper()
	var r struct {
		RefreshResearchCopy struct {
			CopiedAt            string
			People, Nodes, Ties int
		}
	}
	e.ok(`mutation { refreshResearchCopy { copiedAt people nodes ties } }`, nil, &r)
	s := r.RefreshResearchCopy
	return s.People, s.Nodes, s.Ties, s.CopiedAt
}

// dumpCopy returns every node and tie of the research copy, as sorted text, without its
// state node.
func (e *env) dumpCopy() []string {
	e.t.Helper()
	res, err := neo4j.ExecuteQuery(context.Background(), e.research, `
MATCH (n) WHERE NOT n:ResearchCopy
OPTIONAL MATCH (n)-[r]->(m)
RETURN labels(n), properties(n), type(r), properties(r), m.id`, nil, neo4j.EagerResultTransformer)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, r := range res.Records {
		labels := fmt.Sprint(r.Values[0])
		out = append(out, labels+" "+sortedProps(r.Values[1])+" "+fmt.Sprint(r.Values[2])+" "+sortedProps(r.Values[3])+" "+fmt.Sprint(r.Values[4]))
	}
	sort.Strings(out)
	return out
}

func sortedProps(v any) string {
	m, _ := v.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%v;", k, m[k])
	}
	return b.String()
}

// TestResearchCopyAdversarial plays researcher and analyst against /cypher on the research
// copy and searches every answer for what the copy must not hold: names, contacts,
// externalIds, wellbeing, consent, people who did not consent to analysis, sensitive
// groups and memberships, audit records, analysis runs and every live id.
func TestResearchCopyAdversarial(t *testing.T) {
	keys, err := pseudonym.New([]byte("adversarial-test-key-adversarial-test-key"))
	if err != nil {
		t.Fatal(err)
	}
	e := setupResearch(t, func(c *server.Config) {
		c.Pseudonyms = keys
		c.Cypher.MaxBytes = 1 << 20
	})
	a := e.adversary()
	researcher, analyst := e.as(auth.Researcher), e.as(auth.Analyst)

	// Before the first refresh there is no copy: a clear UNAVAILABLE, nothing read live.
	status, raw, out := researcher.cypherRaw(`MATCH (p:Person) RETURN p`, nil)
	if status != http.StatusServiceUnavailable || errorCode(out) != "UNAVAILABLE" || !strings.Contains(raw, "an admin must refresh it") {
		t.Fatalf("before any refresh: %d %s", status, raw)
	}
	e.fails(`{ researchCopy { copiedAt } }`, nil, "UNAVAILABLE", "")
	for _, role := range []auth.Role{auth.Researcher, auth.Analyst, auth.Worker, auth.Partner} {
		e.as(role, a.eccles).fails(`mutation { refreshResearchCopy { people } }`, nil, "FORBIDDEN", "")
	}

	people, nodes, ties, copiedAt := e.refresh()
	// Moira and Wendy consented to analysis; Ned did not. Nodes: 2 people, 3 areas, the
	// open group, the postman, the wave, Moira's observation (Ned's gift and observation
	// stay out with him). Ties: both people live in an area, Barton is in Eccles, the group
	// and the postman are in Barton, Moira is in the open group, knows Wendy, is seen by
	// the postman and trusted by Wendy, and was observed in the wave (OBSERVED, IN_WAVE).
	if people != 2 || nodes != 9 || ties != 11 || copiedAt == "" {
		t.Fatalf("refresh: %d people, %d nodes, %d ties, at %q", people, nodes, ties, copiedAt)
	}
	var st struct{ ResearchCopy struct{ CopiedAt string } }
	e.ok(`{ researchCopy { copiedAt } }`, nil, &st)
	if st.ResearchCopy.CopiedAt != copiedAt {
		t.Errorf("researchCopy says %q, the refresh %q", st.ResearchCopy.CopiedAt, copiedAt)
	}

	// The copy's pseudonyms are the researchers' own, not the stored ones (R-00000n), which
	// workers see beside the names.
	moiraName, wendyName := keys.Name(cypher.ResearchRole, a.moira), keys.Name(cypher.ResearchRole, a.wendy)
	both := []string{moiraName, wendyName}
	sort.Strings(both)
	reads := []struct {
		name, query string
		// rows, when not empty, is what the answer's rows must print as.
		rows string
	}{
		{"every node", `MATCH (n) RETURN n`, ""},
		{"every property, key and label", `MATCH (n) RETURN properties(n), keys(n), labels(n)`, ""},
		{"every tie", `MATCH (a)-[r]->(b) RETURN a, r, properties(r), type(r), b`, ""},
		{"paths", `MATCH p = ()-[*1..3]-() RETURN p LIMIT 300`, ""},
		{"optional match around people", `MATCH (p:Person) OPTIONAL MATCH (p)-[r]-(x) RETURN p, r, x`, ""},
		{"pattern and list comprehensions", `MATCH (p:Person) RETURN [(p)-[r]-(x) | [r, x, properties(x)]] AS around,
		  [k IN keys(p) | p[k]] AS values, [x IN ['displayName', 'contact', 'wellbeing', 'externalId'] | p[x]] AS asked`, ""},
		{"map projection in a subquery", `CALL () { MATCH (g) WHERE g:Group OR g:FamiliarStranger OR g:Gift RETURN g } RETURN g {.*}`, ""},
		{"schema procedures", `CALL db.labels() YIELD label RETURN collect(label) AS x
		  UNION ALL CALL db.propertyKeys() YIELD propertyKey RETURN collect(propertyKey) AS x
		  UNION ALL CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS x`, ""},
		{"schema visualisation", `CALL db.schema.visualization()`, ""},
		{"node type properties", `CALL db.schema.nodeTypeProperties()`, ""},
		{"count(DISTINCT p)", `MATCH (p:Person)--() RETURN count(DISTINCT p)`, "[[2]]"},
		{"people", `MATCH (p:Person) RETURN p.pseudonym ORDER BY p.pseudonym`, fmt.Sprintf("[[%s] [%s]]", both[0], both[1])},
		{"no names anywhere", `MATCH (n) WHERE n.displayName IS NOT NULL OR n.contact IS NOT NULL OR n.wellbeing IS NOT NULL OR n.externalId IS NOT NULL RETURN count(n)`, "[[0]]"},
		{"groups", `MATCH (g:Group) RETURN g.name, coalesce(g.sensitive, false)`, "[[Knit and Natter false]]"},
		{"memberships", `MATCH (p)-[m:MEMBER_OF]->(g) RETURN p.pseudonym, g.name`, fmt.Sprintf("[[%s Knit and Natter]]", moiraName)},
		{"familiar strangers", `MATCH (f:FamiliarStranger)-[s:SEES]->(p) RETURN f.role, f.displayName AS name, s.frequency, p.pseudonym`, fmt.Sprintf("[[postman <nil> DAILY %s]]", moiraName)},
		{"gifts", `MATCH (g:Gift) RETURN count(g)`, "[[0]]"},
		{"audit records and analysis runs", `MATCH (n) WHERE n:AuditEvent OR n:AnalysisRun OR n:KithMigration RETURN count(n)`, "[[0]]"},
		{"scores", `MATCH (n) WHERE any(k IN keys(n) WHERE k STARTS WITH 'score') RETURN count(n)`, "[[0]]"},
		{"the tie's waves are the copy's waves", `MATCH (:Person)-[t:TRUSTS]->(:Person) MATCH (w:Wave) WHERE w.id IN t.waves RETURN t.for, t.source, w.name`, "[[HELP door-step interview Spring survey]]"},
		{"observations: circumstances, not wellbeing", `MATCH (p:Person)-[:OBSERVED]->(o:Observation)-[:IN_WAVE]->(w:Wave)
		  RETURN p.pseudonym, o.employment, o.household, o.method, w.name, o.wemwbs, o.onsAnxious, o.interviewId, o.recordedAt, o.personId = p.id, o.waveId = w.id`,
			fmt.Sprintf("[[%s RETIRED older living alone DOORSTEP Spring survey <nil> <nil> <nil> <nil> true true]]", moiraName)},
		{"a live id finds nothing", `MATCH (n) WHERE n.id IN $ids RETURN count(n)`, "[[0]]"},
		{"Moira's researcher id finds her", `MATCH (p:Person {id: $moira}) RETURN p.pseudonym`, fmt.Sprintf("[[%s]]", moiraName)},
	}
	params := map[string]any{"ids": a.liveIDs, "moira": keys.Encode(cypher.ResearchRole, a.moira)}
	refused := []struct{ name, query string }{
		{"show transactions", `SHOW TRANSACTIONS YIELD currentQuery, parameters`},
		{"show transactions, everything", `SHOW TRANSACTIONS YIELD * RETURN *`},
		{"terminate transactions", `TERMINATE TRANSACTIONS 'neo4j-transaction-1'`},
		{"show settings", `SHOW SETTINGS YIELD name, value`},
		{"show users", `SHOW USERS`},
		{"show indexes", `SHOW INDEXES`},
		{"show procedures", `SHOW PROCEDURES`},
		{"dbms procedure", `CALL dbms.listConfig() YIELD name, value RETURN name, value`},
		{"query log procedure", `CALL db.stats.retrieve('QUERIES')`},
		{"fulltext index", `CALL db.index.fulltext.queryNodes('kith_names', 'Moira') YIELD node RETURN node`},
		{"load csv", `LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row`},
		{"call in transactions", `MATCH (n) CALL (n) { RETURN n.id AS x } IN TRANSACTIONS RETURN x`},
		{"write", `MATCH (p:Person) SET p.displayName = 'x' RETURN p`},
		{"create", `CREATE (n:AuditEvent {sub: 'x'}) RETURN n`},
		{"drop", `DROP CONSTRAINT research_entity_id`},
	}
	for _, who := range []struct {
		name string
		e    *env
	}{{"researcher", researcher}, {"analyst", analyst}} {
		for _, c := range reads {
			t.Run(who.name+"/"+c.name, func(t *testing.T) {
				e := who.e.with(t)
				status, raw, out := e.cypherRaw(c.query, params)
				if status != 200 {
					t.Fatalf("%d %s", status, raw)
				}
				if out["copiedAt"] != copiedAt || out["source"] != "research-copy" {
					t.Errorf("the answer does not state the copy's age %q: %v %v", copiedAt, out["copiedAt"], out["source"])
				}
				if c.rows != "" && fmt.Sprint(out["rows"]) != c.rows {
					t.Errorf("rows %v, want %s", out["rows"], c.rows)
				}
				if rows, _ := out["rows"].([]any); c.rows == "" && len(rows) == 0 {
					t.Errorf("no rows: the read proves nothing")
				}
				if l := a.leaks(raw); len(l) > 0 {
					t.Errorf("leaks %v: %.400s", l, raw)
				}
			})
		}
		for _, c := range refused {
			t.Run(who.name+"/refused/"+c.name, func(t *testing.T) {
				e := who.e.with(t)
				status, raw, out := e.cypherRaw(c.query, nil)
				if status != http.StatusForbidden || errorCode(out) != "FORBIDDEN" {
					t.Errorf("%d %s %s", status, raw, e.logs)
				}
				if l := a.leaks(raw); len(l) > 0 {
					t.Errorf("leaks %v: %s", l, raw)
				}
			})
		}
	}
	// Workers and partners may not use it at all, nor anyone without a token.
	for _, c := range []struct {
		role   auth.Role
		status int
	}{{auth.Worker, http.StatusForbidden}, {auth.Partner, http.StatusForbidden}, {"", http.StatusUnauthorized}} {
		status, raw, _ := e.as(c.role, a.eccles).cypherRaw(`MATCH (n) RETURN n`, nil)
		if status != c.status || len(a.leaks(raw)) > 0 {
			t.Errorf("%q: %d %s", c.role, status, raw)
		}
	}

	// The byte cap stops a query of huge rows while they are decoded.
	status, raw, out = researcher.cypherRaw(`UNWIND range(1, 1000) AS x RETURN range(1, 40000)`, nil)
	rows, _ := out["rows"].([]any)
	if status != 200 || out["truncated"] != true || out["truncatedBy"] != "bytes" || len(rows) == 0 || len(rows) > 10 || len(raw) > 2<<20 {
		t.Errorf("byte cap: %d, %d rows, truncated %v by %v, %d bytes", status, len(rows), out["truncated"], out["truncatedBy"], len(raw))
	}
	status, raw, out = researcher.cypherRaw(`RETURN range(1, 400000)`, nil)
	if status != http.StatusBadRequest || errorCode(out) != "BAD_USER_INPUT" || !strings.Contains(raw, "bytes") {
		t.Errorf("one row over the byte cap: %d %.300s", status, raw)
	}

	// Refreshing the same live graph again gives the same copy.
	before := e.dumpCopy()
	if p, n, r, at := e.refresh(); p != people || n != nodes || r != ties || at == copiedAt {
		t.Errorf("second refresh: %d/%d/%d at %s, first %d/%d/%d at %s", p, n, r, at, people, nodes, ties, copiedAt)
	}
	if after := e.dumpCopy(); !slices.Equal(before, after) {
		t.Errorf("the second refresh changed the copy:\n%v\n%v", before, after)
	}

	// Moira withdraws her consent: at the next refresh she and her ties leave the copy.
	e.ok(`mutation($id: ID!) { updatePeople(input: [{id: $id, consent: {analysis: {given: false, how: "withdrawn by phone"}}}]) { id } }`,
		map[string]any{"id": a.moira}, nil)
	if p, _, _, _ := e.refresh(); p != 1 {
		t.Errorf("after Moira withdrew: %d people", p)
	}
	_, raw, out = researcher.cypherRaw(`MATCH (p:Person) OPTIONAL MATCH (p)-[r]-() RETURN p.pseudonym, p.id, count(r)`, nil)
	if fmt.Sprint(out["rows"]) != fmt.Sprintf("[[%s %s 1]]", keys.Name(cypher.ResearchRole, a.wendy), keys.Encode(cypher.ResearchRole, a.wendy)) ||
		strings.Contains(raw, keys.Encode(cypher.ResearchRole, a.moira)) {
		t.Errorf("after Moira withdrew: %s", raw)
	}

	// Each refresh is in the audit trail, with counts and no id.
	events := e.auditEvents("research-copy", 3)
	if len(events) != 3 {
		t.Fatalf("%d research-copy audit records, want 3", len(events))
	}
	for _, ev := range events {
		if ev.Subject != "test-admin" || len(ev.IDs) != 0 || ev.Detail["people"] == nil || ev.Operation != "mutation refreshResearchCopy" {
			t.Errorf("refresh record: %+v", ev)
		}
	}
}

// TestResearchCopyReadersSeeOneCopy: a query never answers from a copy that a refresh
// touched while it ran, nor during a refresh. The refresh is played by hand on the copy's
// state node, at the moment Neo4j shows the reader's query running.
func TestResearchCopyReadersSeeOneCopy(t *testing.T) {
	e := setupResearch(t, func(c *server.Config) { c.Cypher.Timeout = time.Minute })
	e.world()
	e.refresh()
	researcher := e.as(auth.Researcher)
	ctx := context.Background()
	setState := func(set string) {
		t.Helper()
		if _, err := neo4j.ExecuteQuery(ctx, e.research, "MATCH (m:ResearchCopy {key: 'state'}) SET "+set, nil, neo4j.EagerResultTransformer); err != nil {
			t.Fatal(err)
		}
	}

	const slow = `UNWIND range(1, 30000000) AS x WITH x WHERE x < 0 RETURN count(*) AS none`
	type answer struct {
		status int
		raw    string
	}
	done := make(chan answer, 1)
	go func() {
		status, raw, _ := researcher.cypherRaw(slow, nil)
		done <- answer{status, raw}
	}()
	running := false
	for deadline := time.Now().Add(30 * time.Second); !running && time.Now().Before(deadline); {
		res, err := neo4j.ExecuteQuery(ctx, e.research, "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery = $q RETURN count(*)",
			map[string]any{"q": slow}, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatal(err)
		}
		running = res.Records[0].Values[0].(int64) > 0
		if !running {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if !running {
		t.Fatal("the reader's query never showed as running")
	}
	setState("m.generation = 'another'")
	got := <-done
	if got.status != http.StatusServiceUnavailable || !strings.Contains(got.raw, "refreshed while the query ran") {
		t.Errorf("a query that overlapped a refresh: %d %s", got.status, got.raw)
	}

	setState("m.state = 'refreshing', m.startedAt = datetime()")
	if status, raw, _ := researcher.cypherRaw(`MATCH (n) RETURN count(n)`, nil); status != http.StatusServiceUnavailable ||
		!strings.Contains(raw, "is being refreshed") {
		t.Errorf("during a refresh: %d %s", status, raw)
	}
	// A refresh that died holds the copy for a while, then another takes over.
	e.fails(`mutation { refreshResearchCopy { people } }`, nil, "CONFLICT", "")
	setState("m.startedAt = datetime() - duration('PT1H')")
	if people, _, _, _ := e.refresh(); people != 2 {
		t.Errorf("the refresh that took over copied %d people", people)
	}
	if status, raw, _ := researcher.cypherRaw(`MATCH (n:Person) RETURN count(n)`, nil); status != 200 || !strings.Contains(raw, `"rows":[[2]]`) {
		t.Errorf("after the refresh: %d %s", status, raw)
	}
}
