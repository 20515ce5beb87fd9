package survey_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"kith/identity"
	"kith/identity/gensurvey"
	"kith/nodeid"
	"kith/survey"
)

// BenchmarkImport imports a generated door-knocking survey (identity/gensurvey: each
// respondent names 10 to 20 people as a doorstep gives them) with the record-linkage
// matcher, one transaction per interview, into an empty database holding the survey's
// streets and neighbourhoods. KITH_BENCH_RESPONDENTS sets its size (default 300):
//
//	NEO4J_URI=bolt://127.0.0.1:7688 KITH_BENCH_RESPONDENTS=3000 go test ./survey -run '^$' -bench Import -benchtime 1x
func BenchmarkImport(b *testing.B) {
	n := 300
	if v := os.Getenv("KITH_BENCH_RESPONDENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	s := gensurvey.Generate(1, n)
	matcher, err := identity.NewMatcher(identity.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		f := setup(b)
		ivs := generatedInterviews(b, f, s)
		b.StartTimer()
		start := time.Now()
		im := &survey.Importer{Store: f.store, Matcher: matcher}
		rep, err := im.Import(context.Background(), survey.FormatRoster, ivs, survey.Options{Wave: f.wave})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Counts.Loaded != n {
			b.Fatalf("loaded %d of %d interviews: %+v; first: %+v", rep.Counts.Loaded, n, rep.Counts, rep.Interviews[0].Problem)
		}
		b.ReportMetric(float64(len(s.Mentions)), "mentions")
		b.ReportMetric(time.Since(start).Seconds()/float64(n)*1000, "ms/interview")
		b.ReportMetric(float64(rep.Counts.Matched), "matched")
		b.ReportMetric(float64(rep.Counts.Queued), "queued")
	}
}

// generatedInterviews creates the survey's streets (each in its neighbourhood) and turns
// its mentions into interviews: the people named are trusted for help, services are
// familiar strangers.
func generatedInterviews(b *testing.B, f *fixture, s *gensurvey.Survey) []*survey.Interview {
	b.Helper()
	streets := map[string]string{}
	var rows []any
	for _, m := range s.Mentions {
		if _, ok := streets[m.AreaID]; !ok {
			streets[m.AreaID] = nodeid.New("Area")
			var hood, street int
			if _, err := fmt.Sscanf(m.AreaID, "street_%d_%d", &hood, &street); err != nil {
				b.Fatalf("street %q: %v", m.AreaID, err)
			}
			rows = append(rows, map[string]any{"id": streets[m.AreaID], "name": m.AreaID, "hood": fmt.Sprintf("hood %d", hood)})
		}
	}
	f.exec(`UNWIND $rows AS r
MERGE (h:Area:Entity {name: r.hood}) ON CREATE SET h.id = 'area_' + replace(r.hood, ' ', '_')
CREATE (:Area:Entity {id: r.id, name: r.name})-[:IN]->(h)`, map[string]any{"rows": rows})
	var out []*survey.Interview
	byInterview := map[string]*survey.Interview{}
	for _, m := range s.Mentions {
		m.Area, m.AreaID = m.AreaID, "" // as a file gives it: the street's name
		if m.NamedBy == "" {
			m.Label = "Person"
			iv := &survey.Interview{Key: m.SourceKey, File: "generated", Line: len(out) + 1, Respondent: m, Method: "roster"}
			byInterview[m.InterviewID] = iv
			out = append(out, iv)
			continue
		}
		m.Label = "Person"
		spec := survey.TieSpec{Kind: "TRUSTS", For: "HELP", Generator: m.NameGenerator}
		if m.Role != "" {
			m.Label = "FamiliarStranger"
			spec = survey.TieSpec{Kind: "SEES", Generator: m.NameGenerator}
		}
		iv := byInterview[m.InterviewID]
		iv.Alters = append(iv.Alters, &survey.Alter{Mention: m, Named: []survey.TieSpec{spec}, File: "generated", Line: iv.Line})
	}
	return out
}
