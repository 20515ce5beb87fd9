package identity_test

import (
	"reflect"
	"strconv"
	"testing"

	"kith/identity"
)

// A pool resolves each batch against the known people and the batches committed before
// it; a rolled-back batch leaves no trace, so resolving it again decides as the first time.
func TestPoolCommitAndRollback(t *testing.T) {
	n := 0
	in := identity.Input{
		Known:      []identity.Known{{PersonID: "person_known", Name: "Margaret Okafor", AreaID: "a", AgeBand: "65-74"}},
		Neighbours: func(string) []string { return nil },
		NewID:      func(label string) string { n++; return label + "_" + strconv.Itoa(n) },
	}
	e := identity.NewEngine(identity.DefaultConfig())
	first := []identity.Mention{
		{SourceKey: "iv1/ego", Label: "Person", Name: "Dev Patel", AreaID: "a", AgeBand: "35-44", InterviewID: "iv1"},
		{SourceKey: "iv1/alter1", Label: "Person", Name: "Priya Ramachandran", AreaID: "a", AgeBand: "25-34", NamedBy: "iv1/ego", InterviewID: "iv1"},
		{SourceKey: "iv1/alter2", Label: "FamiliarStranger", Name: "the postman", Role: "postman", AreaID: "a", NamedBy: "iv1/ego", InterviewID: "iv1"},
	}
	second := []identity.Mention{
		{SourceKey: "iv2/ego", Label: "Person", Name: "Jean Walker", AreaID: "a", InterviewID: "iv2"},
		{SourceKey: "iv2/alter1", Label: "Person", Name: "Priya Ramachandran", AreaID: "a", AgeBand: "25-34", NamedBy: "iv2/ego", InterviewID: "iv2"},
	}
	p := e.NewPool(in)

	// A batch rolled back (its transaction failed) is not there for the next one.
	d1 := p.Resolve(first)
	if d1[2].Kind != identity.New || d1[2].PersonID != "FamiliarStranger_3" {
		t.Fatalf("a new familiar stranger gets an id of its label: %+v", d1[2])
	}
	p.Rollback()
	if d := p.Resolve(second); d[1].Kind == identity.Linked {
		t.Fatalf("a mention linked to a person of a rolled-back batch: %+v", d[1])
	}
	p.Rollback()

	// Resolved again and committed, the first batch decides as before (with new ids).
	again := p.Resolve(first)
	for i := range d1 {
		if again[i].Kind != d1[i].Kind || !reflect.DeepEqual(again[i].Reasons, d1[i].Reasons) {
			t.Fatalf("after a rollback, mention %d decides %+v, first %+v", i, again[i], d1[i])
		}
	}
	p.Commit()
	d2 := p.Resolve(second)
	if d2[1].Kind != identity.Linked || d2[1].PersonID != again[1].PersonID {
		t.Fatalf("the second interview's Priya is not the first's (%s): %+v", again[1].PersonID, d2[1])
	}
	// The same source key again is the same person (a re-import within the pool).
	p.Commit()
	d3 := p.Resolve(first[:1])
	if d3[0].Kind != identity.Linked || d3[0].PersonID != again[0].PersonID || d3[0].Reasons[0] != "same source key" {
		t.Fatalf("the same source key: %+v", d3[0])
	}
}
