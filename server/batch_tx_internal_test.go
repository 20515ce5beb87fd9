package server

import (
	"slices"
	"testing"

	"kith/graph"
)

// Every Mutation field is a batch field except the ones that are not writes of what a
// survey records; a new field must be placed on one side or the other here.
func TestBatchFieldsAreTheBatchWrites(t *testing.T) {
	notBatch := []string{"runAnalysis", "erasePerson", "revokeTokens", "refreshResearchCopy", "mergePeople", "unmergePeople", "keepApart", "importSurvey", "issueFeedToken", "revokeFeedToken"}
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for _, f := range schema.Mutation.Fields {
		if want := !slices.Contains(notBatch, f.Name); isBatchField(f.Name) != want {
			t.Errorf("isBatchField(%q) = %v, want %v", f.Name, !want, want)
		}
	}
	for _, name := range []string{"create", "update", "delete", "removeTie"} {
		if isBatchField(name) {
			t.Errorf("isBatchField(%q) = true", name)
		}
	}
}
