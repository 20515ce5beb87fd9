package cypher

import (
	"fmt"
	"slices"
	"testing"
)

// TestAuditListsEachIDOnce: a batch names a node many times (a tie's ends); the record
// lists it once, and counts only distinct ids beyond MaxAuditIDs.
func TestAuditListsEachIDOnce(t *testing.T) {
	p := auditParams(AuditEvent{IDs: []string{"per_a", "grp_b", "per_a", "tie_c", "grp_b"}})
	if got := p["ids"].([]string); !slices.Equal(got, []string{"per_a", "grp_b", "tie_c"}) || p["idsNotListed"] != int64(0) {
		t.Errorf("ids %v, not listed %v", got, p["idsNotListed"])
	}
	var many []string
	for i := range MaxAuditIDs + 10 {
		id := fmt.Sprintf("per_%d", i)
		many = append(many, id, id)
	}
	p = auditParams(AuditEvent{IDs: many})
	if got := p["ids"].([]string); len(got) != MaxAuditIDs || p["idsNotListed"] != int64(10) {
		t.Errorf("%d ids listed, %v not listed; want %d and 10", len(got), p["idsNotListed"], MaxAuditIDs)
	}
	if got := auditParams(AuditEvent{})["ids"].([]string); got == nil || len(got) != 0 {
		t.Errorf("no ids: %#v, want an empty list", got)
	}
}
