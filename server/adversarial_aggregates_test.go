package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"kith/auth"
	"kith/cypher"
	"kith/nodeid"
	"kith/server"
)

// These tests play an analyst who tries to learn one person's wellbeing score by
// differencing aggregates (docs/aggregates.md): two sets that differ by that person, all
// people and all but one, a parent area against its sub-areas, a group against a community,
// and the same set before and after the person is added. Each attack is first run as an
// admin, whose figures are exact, to show that it recovers the score; then by many analysts,
// each with a budget of their own, who repeat it until the budget is spent and average what
// they got. The noise comes from a seeded source here (production draws from crypto/rand),
// so the figures are the same at every run.

// lockedReader makes a seeded source safe for the server's concurrent root fields.
type lockedReader struct {
	mu sync.Mutex
	r  *mrand.ChaCha8
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

func seededNoise(seed byte) *lockedReader {
	var s [32]byte
	s[0] = seed
	return &lockedReader{r: mrand.NewChaCha8(s)}
}

// wbView is a WellbeingSummary as a test reads it.
type wbView struct {
	People, Scored int
	Mean           *float64
	Suppressed     bool
	Noise          *struct {
		Epsilon, SumScale float64
		MeanError         *float64
	}
}

const wbFields = `people scored mean suppressed noise { epsilon sumScale meanError }`

// neighbourhood is the attacks' data, every person consenting to analysis:
//
//	Eccles      the target (score 15), living in Eccles itself
//	  Barton      B1..B6    B1..B5 a clique of KNOWS ties; B1..B5 and the target in Knit and Natter
//	  Patricroft  P1..P6    a clique, and the target knows each of them
//	Winton      W1..W6    a clique, with B6
//
// so Louvain finds {B1..B5}, {P1..P6, target} and {W1..W6, B6}.
type neighbourhood struct {
	target   int
	targetID string
	barton   []string // ids of B1..B5
	ids      map[string]string
}

func loadNeighbourhood(t *testing.T, e *env) neighbourhood {
	t.Helper()
	n := neighbourhood{target: 15, ids: map[string]string{}}
	var nodes []cypher.LoadNode
	var ties []cypher.LoadTie
	area := func(key, name, parent string) {
		id := nodeid.FromKey("Area", key)
		n.ids[key] = id
		nodes = append(nodes, cypher.LoadNode{Label: "Area", ID: id, Props: map[string]any{"externalId": key, "name": name}})
		if parent != "" {
			ties = append(ties, cypher.LoadTie{Kind: "IN", From: id, To: n.ids[parent]})
		}
	}
	area("eccles", "Eccles", "")
	area("barton", "Barton", "eccles")
	area("patricroft", "Patricroft", "eccles")
	area("winton", "Winton", "")
	knit := nodeid.FromKey("Group", "knit")
	nodes = append(nodes, cypher.LoadNode{Label: "Group", ID: knit, Props: map[string]any{"externalId": "knit", "name": "Knit and Natter"}})
	person := func(key string, score int, where string) {
		id := nodeid.FromKey("Person", key)
		n.ids[key] = id
		nodes = append(nodes, cypher.LoadNode{Label: "Person", ID: id, Props: map[string]any{"externalId": key,
			"displayName": key, "pseudonym": "R-" + key, "wellbeing": int64(score), "consentAnalysis": true}})
		ties = append(ties, cypher.LoadTie{Kind: "LIVES_IN", From: id, To: n.ids[where]})
	}
	knows := func(a, b string) {
		ties = append(ties, cypher.LoadTie{Kind: "KNOWS", From: n.ids[a], To: n.ids[b], Props: map[string]any{"strength": "WEAK"}})
	}
	clique := func(keys []string) {
		for i := range keys {
			for j := i + 1; j < len(keys); j++ {
				knows(keys[i], keys[j])
			}
		}
	}
	person("T", n.target, "eccles")
	n.targetID = n.ids["T"]
	var b, p, w []string
	for i := range 6 {
		b, p, w = append(b, fmt.Sprintf("B%d", i+1)), append(p, fmt.Sprintf("P%d", i+1)), append(w, fmt.Sprintf("W%d", i+1))
		person(b[i], 18+3*i, "barton")
		person(p[i], 30-2*i, "patricroft")
		person(w[i], 22+i, "winton")
	}
	clique(b[:5])
	clique(p)
	clique(append(slicesClone(w), "B6"))
	for _, k := range p {
		knows("T", k)
	}
	for _, k := range append(slicesClone(b[:5]), "T") {
		ties = append(ties, cypher.LoadTie{Kind: "MEMBER_OF", From: n.ids[k], To: knit})
	}
	for _, k := range b[:5] {
		n.barton = append(n.barton, n.ids[k])
	}
	if err := e.store.Load(context.Background(), nodes, ties, nil); err != nil {
		t.Fatal(err)
	}
	return n
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// release is one wellbeing figure an attack uses: the attack adds sign × people × mean.
type release struct {
	key  string
	sign float64
	wb   wbView
}

// attack is one differencing attack: a round asks its questions as the caller and returns
// the figures it combines, or refused when the caller's budget is spent.
type attack struct {
	name  string
	round func(t *testing.T, e *env) (parts []release, refused bool)
}

// ask runs a query for wellbeing figures; it reports refused for FORBIDDEN on the budget
// and fails the test on any other error.
func ask(t *testing.T, e *env, query string, vars map[string]any, v any) (refused bool) {
	t.Helper()
	r := e.do(query, vars)
	if len(r.Errors) > 0 {
		if r.Errors[0].Extensions["code"] == "FORBIDDEN" && r.Errors[0].Extensions["field"] == "privacyBudget" {
			return true
		}
		t.Fatalf("%s: %+v", query, r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatal(err)
	}
	return false
}

// summaryGroup is one group of a networkSummary.
type summaryGroup struct {
	Value, Name *string
	People      int
	Wellbeing   wbView
}

func attacks(n neighbourhood) []attack {
	summary := func(t *testing.T, e *env, where map[string]any) (wbView, bool) {
		var d struct{ WellbeingSummary wbView }
		refused := ask(t, e, `query($w: PersonWhere) { wellbeingSummary(where: $w) { `+wbFields+` } }`, map[string]any{"w": where}, &d)
		return d.WellbeingSummary, refused
	}
	// groups asks for one grouping's groups (one summary's ε between them).
	groups := func(t *testing.T, e *env, by string) ([]summaryGroup, bool) {
		var d struct {
			NetworkSummary struct{ Groups []summaryGroup }
		}
		refused := ask(t, e, `{ networkSummary(by: `+by+`) { groups { value name people wellbeing { `+wbFields+` } } } }`, nil, &d)
		return d.NetworkSummary.Groups, refused
	}
	return []attack{
		{"five people, then the same five and the target", func(t *testing.T, e *env) ([]release, bool) {
			ids := func(live ...string) []string {
				var out []string
				for _, id := range live {
					out = append(out, e.idFor(id))
				}
				return out
			}
			s5, refused := summary(t, e, map[string]any{"id": map[string]any{"in": ids(n.barton...)}})
			if refused {
				return nil, true
			}
			s6, refused := summary(t, e, map[string]any{"id": map[string]any{"in": ids(append(slicesClone(n.barton), n.targetID)...)}})
			return []release{{"s6", 1, s6}, {"s5", -1, s5}}, refused
		}},
		{"everyone, then everyone but the target", func(t *testing.T, e *env) ([]release, bool) {
			all, refused := summary(t, e, nil)
			if refused {
				return nil, true
			}
			rest, refused := summary(t, e, map[string]any{"NOT": map[string]any{"id": map[string]any{"eq": e.idFor(n.targetID)}}})
			return []release{{"all", 1, all}, {"all but one", -1, rest}}, refused
		}},
		{"a parent area against its sub-areas", func(t *testing.T, e *env) ([]release, bool) {
			// The analyst finds the area's id as they see it.
			var a struct {
				Areas struct{ Nodes []struct{ ID, Name string } }
			}
			e.ok(`{ areas(where: {name: {eq: "Eccles"}}) { nodes { id name } } }`, nil, &a)
			var d struct {
				NetworkSummary struct {
					Wellbeing wbView
					Groups    []summaryGroup
				}
			}
			if ask(t, e, `query($a: ID) { networkSummary(scope: {areaId: $a}, by: AREA) { wellbeing { `+wbFields+` }
			  groups { value name people wellbeing { `+wbFields+` } } } }`, map[string]any{"a": a.Areas.Nodes[0].ID}, &d) {
				return nil, true
			}
			parts := []release{{"eccles", 1, d.NetworkSummary.Wellbeing}}
			for _, g := range d.NetworkSummary.Groups {
				if g.Name != nil && *g.Name != "Eccles" {
					parts = append(parts, release{"area " + *g.Name, -1, g.Wellbeing})
				}
			}
			if len(parts) != 3 {
				t.Fatalf("Eccles by area: %+v", d.NetworkSummary.Groups)
			}
			return parts, false
		}},
		{"a group against a community", func(t *testing.T, e *env) ([]release, bool) {
			byGroup, refused := groups(t, e, "GROUP")
			if refused {
				return nil, true
			}
			byCommunity, refused := groups(t, e, "COMMUNITY")
			if refused {
				return nil, true
			}
			var parts []release
			for _, g := range byGroup {
				if g.Name != nil && *g.Name == "Knit and Natter" {
					parts = append(parts, release{"knit", 1, g.Wellbeing})
				}
			}
			for _, g := range byCommunity {
				if g.People == 5 { // B1..B5: the group without the target
					parts = append(parts, release{"community of five", -1, g.Wellbeing})
				}
			}
			if len(parts) != 2 {
				t.Fatalf("groups %+v, communities %+v", byGroup, byCommunity)
			}
			return parts, false
		}},
	}
}

// estimate is an attack's estimate of the score from its figures: Σ sign × people × mean.
// ok is false when a figure was withheld.
func estimate(parts []release) (x float64, ok bool) {
	for _, p := range parts {
		if p.wb.Mean == nil {
			return 0, false
		}
		x += p.sign * float64(p.wb.People) * *p.wb.Mean
	}
	return x, true
}

// idealHitRate is the chance that an ideal attacker, who knew every count exactly and so
// suffered only the noise on the sums, averaging rounds rounds of terms/rounds figures,
// lands within half a point of the score: their error is Σ of terms discrete Laplace
// noises of the scale, over 2 × rounds (each figure's sum is of doubled scores), so the
// chance is P(|Σ| < rounds), computed here by convolution.
func idealHitRate(scale float64, terms, rounds int) float64 {
	p := math.Exp(-1 / scale)
	width := int(40 * scale)
	one := make([]float64, 2*width+1)
	for x := -width; x <= width; x++ {
		one[x+width] = (1 - p) / (1 + p) * math.Pow(p, math.Abs(float64(x)))
	}
	sum := []float64{1}
	for range terms {
		next := make([]float64, len(sum)+len(one)-1)
		for i, a := range sum {
			if a < 1e-15 {
				continue
			}
			for j, b := range one {
				next[i+j] += a * b
			}
		}
		sum = next
	}
	centre := (len(sum) - 1) / 2
	hit := 0.0
	for x := -rounds + 1; x < rounds; x++ {
		hit += sum[centre+x]
	}
	return hit
}

// analyst returns the env acting as an analyst of the given subject.
func (e *env) analyst(sub string) *env {
	c := *e
	c.token, c.role = mint(e.t, sub, []auth.Role{auth.Analyst}, nil), auth.Analyst
	return &c
}

// attackOutcome gathers many analysts' attempts at one attack.
type attackOutcome struct {
	analysts, estimates, hits, refusals int
	errors                              []float64
	// releases and covered count the released means and those within meanError of the
	// exact mean.
	releases, covered int
}

func (o *attackOutcome) add(t *testing.T, exact map[string]float64, score float64, rounds [][]release) {
	o.analysts++
	var sum float64
	got := 0
	for _, parts := range rounds {
		for _, p := range parts {
			if p.wb.Noise == nil {
				t.Fatalf("%s: an analyst got wellbeing without noise: %+v", p.key, p.wb)
			}
			if p.wb.Mean != nil {
				o.releases++
				if math.Abs(*p.wb.Mean-exact[p.key]) <= *p.wb.Noise.MeanError+1e-9 { // the bound can be met exactly
					o.covered++
				}
			}
		}
		if x, ok := estimate(parts); ok {
			sum += x
			got++
		}
	}
	if got == 0 {
		return
	}
	x := sum / float64(got)
	o.estimates++
	o.errors = append(o.errors, math.Abs(x-score))
	if math.Abs(x-score) < 0.5 {
		o.hits++
	}
}

// check asserts the outcome: no better than the ideal attacker (four binomial deviations
// and one hit of slack), and the stated error bound held in at least 95% of releases.
func (o *attackOutcome) check(t *testing.T, ideal float64) {
	t.Helper()
	limit := float64(o.analysts)*ideal + 4*math.Sqrt(float64(o.analysts)*ideal*(1-ideal)) + 1
	sort.Float64s(o.errors)
	median := math.NaN()
	if len(o.errors) > 0 {
		median = o.errors[len(o.errors)/2]
	}
	t.Logf("%d analysts, %d with an estimate, %d within half a point (ideal attacker: %.3f each, limit %.1f); median error %.1f points; error bound held for %d of %d means",
		o.analysts, o.estimates, o.hits, ideal, limit, median, o.covered, o.releases)
	if float64(o.hits) > limit {
		t.Errorf("%d of %d analysts recovered the score, more than the noise allows (%.1f)", o.hits, o.analysts, limit)
	}
	if o.refusals != o.analysts {
		t.Errorf("%d of %d analysts were refused once their budget was spent", o.refusals, o.analysts)
	}
	if o.releases == 0 || float64(o.covered) < 0.95*float64(o.releases) {
		t.Errorf("the stated error bound held for %d of %d means, promised at least 95%%", o.covered, o.releases)
	}
}

// analystsPerAttack is how many analysts, each with a budget of their own, try each attack.
const analystsPerAttack = 40

// TestAdversarialDifferencing runs each attack as an admin (exact: it recovers the score)
// and then as analysts, who cannot.
func TestAdversarialDifferencing(t *testing.T) {
	e := setupWith(t, func(c *server.Config) { c.Noise = seededNoise(42) })
	n := loadNeighbourhood(t, e)
	score := float64(n.target)
	for _, a := range attacks(n) {
		t.Run(a.name, func(t *testing.T) {
			e := e.with(t)
			parts, _ := a.round(t, e)
			x, ok := estimate(parts)
			if !ok || math.Abs(x-score) > 1e-9 {
				t.Fatalf("on exact figures the attack gives %v (ok %t), want the score %v: the attack is not real", x, ok, score)
			}
			exact := map[string]float64{}
			for _, p := range parts {
				exact[p.key] = *p.wb.Mean
			}
			var o attackOutcome
			var scale float64
			rounds := 0
			for i := range analystsPerAttack {
				an := e.analyst(fmt.Sprintf("analyst-%s-%d", strings.ReplaceAll(a.name, " ", "-"), i))
				var got [][]release
				for {
					parts, refused := a.round(t, an)
					if refused {
						o.refusals++
						break
					}
					got = append(got, parts)
					scale = parts[0].wb.Noise.SumScale
				}
				rounds = len(got)
				o.add(t, exact, score, got)
			}
			o.check(t, idealHitRate(scale, len(parts)*rounds, rounds))
		})
	}

	// Before and after a write: the same question, then the target's twin is added.
	t.Run("the same set before and after one person is added", func(t *testing.T) {
		e := e.with(t)
		ask := func(e *env) (wbView, bool) {
			var d struct{ WellbeingSummary wbView }
			refused := ask(t, e, `{ wellbeingSummary { `+wbFields+` } }`, nil, &d)
			return d.WellbeingSummary, refused
		}
		const twin = 12
		before, _ := ask(e)
		ans := make([]*env, analystsPerAttack)
		firsts := make([][]wbView, analystsPerAttack)
		for i := range ans {
			ans[i] = e.analyst(fmt.Sprintf("analyst-before-after-%d", i))
			for range 5 { // half the budget before the write
				w, refused := ask(ans[i])
				if refused {
					t.Fatal("refused before half the budget was spent")
				}
				firsts[i] = append(firsts[i], w)
			}
		}
		e.ok(`mutation { createPeople(input: [{displayName: "Twin", pseudonym: "R-twin", wellbeing: 12,
		  consent: {analysis: {given: true, how: "paper form"}}}]) { id } }`, nil, nil)
		after, _ := ask(e)
		if x := float64(after.People)**after.Mean - float64(before.People)**before.Mean; math.Abs(x-twin) > 1e-9 {
			t.Fatalf("on exact figures the attack gives %v, want %d", x, twin)
		}
		exact := map[string]float64{"before": *before.Mean, "after": *after.Mean}
		var o attackOutcome
		for i, an := range ans {
			var rounds [][]release
			for j := 0; ; j++ {
				w, refused := ask(an)
				if refused {
					o.refusals++
					break
				}
				rounds = append(rounds, []release{{"after", 1, w}, {"before", -1, firsts[i][j]}})
			}
			o.add(t, exact, twin, rounds)
		}
		o.check(t, idealHitRate(firsts[0][0].Noise.SumScale, 10, 5))
	})
}

// TestPrivacyBudget checks the budget: what each answer costs, the refusal once it is spent
// (and that it names the budget), that each analyst has their own, that selecting no
// wellbeing costs nothing, and that two instances over one database share it, also when
// requests race.
func TestPrivacyBudget(t *testing.T) {
	e := setupWith(t, func(c *server.Config) { c.PrivacyBudget = 3 })
	loadNeighbourhood(t, e)
	budget := func(e *env) (spent, remaining float64) {
		var d struct {
			PrivacyBudget struct {
				PerSummary, Limit, Spent, Remaining float64
				RenewsAt                            *string
			}
		}
		e.ok(`{ privacyBudget { perSummary limit spent remaining renewsAt } }`, nil, &d)
		b := d.PrivacyBudget
		if b.PerSummary != 1 || b.Limit != 3 || b.RenewsAt == nil {
			t.Fatalf("budget %+v", b)
		}
		return b.Spent, b.Remaining
	}
	an := e.analyst("analyst-budget")
	const both = `{ networkSummary(by: AREA) { wellbeing { mean } groups { wellbeing { mean } } } }`
	for _, step := range []struct {
		name, query string
		refused     bool
		spent       float64
	}{
		{"a summary without wellbeing costs nothing", `{ networkSummary(by: AREA) { density groups { people } } }`, false, 0},
		{"a wellbeing summary costs ε", `{ wellbeingSummary { mean } }`, false, 1},
		{"wellbeing and the groups' wellbeing cost 2ε", both, false, 3},
		{"then a summary is refused", `{ wellbeingSummary { mean } }`, true, 3},
		{"and so is a network summary's wellbeing", `{ networkSummary { wellbeing { mean } } }`, true, 3},
		{"but not the rest of a network summary", `{ networkSummary { density } }`, false, 3},
	} {
		r := an.do(step.query, nil)
		if step.refused {
			if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "FORBIDDEN" || r.Errors[0].Extensions["field"] != "privacyBudget" ||
				!strings.Contains(r.Errors[0].Message, "privacy budget spent") || !strings.Contains(r.Errors[0].Message, "renews at") {
				t.Errorf("%s: %s %+v", step.name, r.Data, r.Errors)
			}
		} else if len(r.Errors) > 0 {
			t.Errorf("%s: %+v", step.name, r.Errors)
		}
		if spent, remaining := budget(an); spent != step.spent || remaining != 3-step.spent {
			t.Errorf("%s: spent %v, remaining %v; want %v spent", step.name, spent, remaining, step.spent)
		}
	}
	// An answer that costs more than is left is refused whole, and spends nothing.
	other := e.analyst("analyst-budget-2")
	other.ok(`{ wellbeingSummary { mean } }`, nil, nil)
	other.ok(`{ wellbeingSummary { mean } }`, nil, nil)
	if r := other.do(both, nil); len(r.Errors) == 0 || r.Errors[0].Extensions["field"] != "privacyBudget" {
		t.Errorf("2ε with ε left: %s %+v", r.Data, r.Errors)
	}
	if spent, _ := budget(other); spent != 2 {
		t.Errorf("a refused answer spent budget: %v spent", spent)
	}
	other.ok(`{ wellbeingSummary { mean } }`, nil, nil)
	// Admins spend nothing and have no budget.
	var d struct{ PrivacyBudget *struct{ Spent float64 } }
	for range 5 {
		e.ok(`{ wellbeingSummary { mean } }`, nil, nil)
	}
	e.ok(`{ privacyBudget { spent } }`, nil, &d)
	if d.PrivacyBudget != nil {
		t.Errorf("an admin has a budget: %+v", d.PrivacyBudget)
	}

	// Two instances over the same database, twelve requests at once from one analyst with a
	// budget of three: three answers, nine refusals.
	second := secondInstance(t, e, func(c *server.Config) { c.PrivacyBudget = 3 })
	racer := e.analyst("analyst-racing")
	var wg sync.WaitGroup
	var mu sync.Mutex
	answered, refused := 0, 0
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := racer
			if i%2 == 1 {
				target = second.analyst("analyst-racing")
			}
			r := target.do(`{ wellbeingSummary { mean } }`, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case len(r.Errors) == 0:
				answered++
			case r.Errors[0].Extensions["field"] == "privacyBudget":
				refused++
			default:
				t.Errorf("%+v", r.Errors)
			}
		}()
	}
	wg.Wait()
	if answered != 3 || refused != 9 {
		t.Errorf("two instances, twelve racing requests, a budget of 3: %d answered, %d refused", answered, refused)
	}
}

// secondInstance starts another Kith server over the env's database, as a second instance
// behind a load balancer would be.
func secondInstance(t *testing.T, e *env, configure func(*server.Config)) *env {
	t.Helper()
	cfg := server.DefaultConfig()
	v, err := auth.NewVerifier(auth.Config{Secret: testSecret, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Verifier, cfg.RateLimit = v, 0
	configure(&cfg)
	srv := server.New(cfg, e.store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	c := *e
	c.srv = httptest.NewServer(srv.Handler())
	t.Cleanup(func() { c.srv.Close(); srv.Close() })
	return &c
}

// TestAggregatesByRole checks who gets what: admins exact means over everyone; workers
// exact means over exactly the scores they read one by one (their areas, with consent for
// wellbeing), so the aggregate tells them nothing more; analysts noise; partners and
// researchers nothing.
func TestAggregatesByRole(t *testing.T) {
	e := setup(t)
	n := loadNeighbourhood(t, e)
	// Consent to wellbeing being recorded for the target and B1..B5 only (in Eccles), and W1
	// (in Winton).
	for _, k := range []string{"T", "B1", "B2", "B3", "B4", "B5", "W1"} {
		e.ok(`mutation($id: ID!) { updatePeople(input: [{id: $id, consent: {wellbeing: {given: true, how: "paper form"}}}]) { id } }`,
			map[string]any{"id": n.ids[k]}, nil)
	}
	mean := func(scores []int) float64 {
		s := 0
		for _, x := range scores {
			s += x
		}
		return float64(s) / float64(len(scores))
	}
	type people struct {
		People struct{ Nodes []struct{ Wellbeing *int } }
	}
	read := func(e *env) (scores []int) {
		var d people
		e.ok(`{ people(first: 100) { nodes { wellbeing } } }`, nil, &d)
		for _, p := range d.People.Nodes {
			if p.Wellbeing != nil {
				scores = append(scores, *p.Wellbeing)
			}
		}
		return scores
	}
	const q = `{ wellbeingSummary { ` + wbFields + ` } networkSummary(by: AREA) { wellbeing { ` + wbFields + ` } } }`
	type both struct {
		WellbeingSummary wbView
		NetworkSummary   struct{ Wellbeing wbView }
	}
	for _, tc := range []struct {
		name   string
		as     *env
		exact  bool
		scored int
	}{
		{"admin", e, true, 19},
		{"worker covering Eccles", e.as(auth.Worker, n.ids["eccles"]), true, 6},
		{"worker covering Winton", e.as(auth.Worker, n.ids["winton"]), true, 1},
		{"analyst", e.analyst("analyst-roles"), false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d both
			tc.as.ok(q, nil, &d)
			for _, w := range []wbView{d.WellbeingSummary, d.NetworkSummary.Wellbeing} {
				if !tc.exact {
					if w.Noise == nil || w.Noise.Epsilon != 1 || w.People != 19 {
						t.Errorf("analyst: %+v", w)
					}
					continue
				}
				scores := read(tc.as)
				if w.Noise != nil || w.Scored != tc.scored || len(scores) != tc.scored {
					t.Errorf("%+v; reads %d scores one by one, want %d", w, len(scores), tc.scored)
				}
				if tc.scored >= 5 && (w.Mean == nil || math.Abs(*w.Mean-mean(scores)) > 1e-9) {
					t.Errorf("mean %v, want the exact %v", w.Mean, mean(scores))
				}
				if tc.scored < 5 && (w.Mean != nil || !w.Suppressed) {
					t.Errorf("fewer than k scores, yet %+v", w)
				}
			}
		})
	}
	for _, role := range []auth.Role{auth.Partner, auth.Researcher} {
		for _, query := range []string{`{ wellbeingSummary { mean } }`, `{ networkSummary { wellbeing { mean } } }`, `{ privacyBudget { spent } }`} {
			e.as(role).fails(query, nil, "FORBIDDEN", "")
		}
	}
}
