package server_test

import "testing"

// A mutation of more than one batch field is one transaction: it commits once, and when a
// field fails nothing any field wrote stays.
func TestBatchFieldsShareOneTransaction(t *testing.T) {
	e := setup(t)
	e.fixture(2)
	count := func(externalID string) int {
		var r struct{ People struct{ TotalCount int } }
		e.ok(`query($x: String) { people(where: {externalId: {eq: $x}}) { totalCount } }`, map[string]any{"x": externalID}, &r)
		return r.People.TotalCount
	}

	t.Run("commits once, and a later field sees what an earlier one wrote", func(t *testing.T) {
		e := e.with(t)
		var commits int64
		if e.proxy != nil {
			commits = e.proxy.Commits()
		}
		var r struct {
			CreatePeople []struct{ ID string } `json:"createPeople"`
			CreateTies   []struct {
				From struct{ ID string }
			} `json:"createTies"`
		}
		e.ok(`mutation {
		  createPeople(input: [{externalId: "bt-ok", displayName: "Recorded together"}]) { id }
		  createTies(input: [{kind: KNOWS, from: {type: PERSON, externalId: "bt-ok"}, to: {type: PERSON, externalId: "p000"}}]) { from { id } }
		}`, nil, &r)
		if len(r.CreatePeople) != 1 || len(r.CreateTies) != 1 || r.CreateTies[0].From.ID != r.CreatePeople[0].ID {
			t.Fatalf("got %+v", r)
		}
		if e.proxy != nil {
			if got := e.proxy.Commits() - commits; got != 1 {
				t.Errorf("the mutation committed %d transactions, want 1", got)
			}
		}
		if count("bt-ok") != 1 {
			t.Error("the person was not stored")
		}
	})

	t.Run("a failing field undoes the fields before it", func(t *testing.T) {
		e := e.with(t)
		before := e.counts()
		r := e.do(`mutation {
		  createPeople(input: [{externalId: "bt-undone", displayName: "Not kept"}]) { id }
		  createTies(input: [{kind: KNOWS, from: {type: PERSON, externalId: "bt-undone"}, to: {type: PERSON, externalId: "ghost"}}]) { id }
		}`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "NOT_FOUND" || r.Errors[0].Extensions["field"] != "input[0].to" ||
			len(r.Errors[0].Path) == 0 || r.Errors[0].Path[0] != "createTies" {
			t.Fatalf("errors %+v", r.Errors)
		}
		if string(r.Data) != "null" && len(r.Data) != 0 {
			t.Errorf("data %s, want null: nothing was written", r.Data)
		}
		if after := e.counts(); after != before || count("bt-undone") != 0 {
			t.Errorf("graph changed: %v -> %v", before, after)
		}
	})

	t.Run("only the first failure is reported", func(t *testing.T) {
		e := e.with(t)
		before := e.counts()
		r := e.do(`mutation {
		  first: createPeople(input: [{externalId: "bt-bad", wellbeing: 99}]) { id }
		  second: createPeople(input: [{externalId: "bt-fine"}]) { id }
		  third: createPeople(input: [{externalId: "bt-bad-too", wellbeing: -1}]) { id }
		}`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Extensions["field"] != "input[0].wellbeing" || len(r.Errors[0].Path) == 0 || r.Errors[0].Path[0] != "first" {
			t.Fatalf("errors %+v", r.Errors)
		}
		if after := e.counts(); after != before || count("bt-fine") != 0 {
			t.Errorf("graph changed: %v -> %v", before, after)
		}
	})

	t.Run("a store error ends the transaction and nothing after it runs", func(t *testing.T) {
		e := e.with(t)
		before := e.counts()
		r := e.do(`mutation {
		  createPeople(input: [{externalId: "bt-before"}]) { id }
		  deletePeople(ids: ["per_00000000000000000000"]) { count }
		  updatePeople(input: [{externalId: "p000", displayName: "Changed"}]) { id }
		}`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "NOT_FOUND" || r.Errors[0].Path[0] != "deletePeople" {
			t.Fatalf("errors %+v", r.Errors)
		}
		var p struct {
			People struct {
				Edges []struct{ Node struct{ DisplayName string } }
			}
		}
		e.ok(`{ people(where: {externalId: {eq: "p000"}}) { edges { node { displayName } } } }`, nil, &p)
		if after := e.counts(); after != before || count("bt-before") != 0 || p.People.Edges[0].Node.DisplayName != "Resident 000" {
			t.Errorf("graph changed: %v -> %v, p000 %+v", before, after, p)
		}
	})

	t.Run("another field keeps every field in its own transaction", func(t *testing.T) {
		e := e.with(t)
		r := e.do(`mutation {
		  createPeople(input: [{externalId: "bt-alone"}]) { id }
		  erasePerson(id: "per_00000000000000000000") { people }
		}`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Path[0] != "erasePerson" {
			t.Fatalf("errors %+v", r.Errors)
		}
		if count("bt-alone") != 1 {
			t.Error("createPeople, in its own transaction, was not kept")
		}
	})
}
