// Package identity resolves the people named in survey interviews to the people Kith
// already records: a record-linkage model scores each mention against candidates found by
// blocking, and links it, queues it for a human, or records a new person.
package identity

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Mention is one person as a respondent named them (or a respondent themself), with what
// the interview says about them.
type Mention struct {
	// SourceKey identifies the mention in its file (networkCanvasEgoUUID +
	// networkCanvasUUID, or a roster row id).
	SourceKey string
	// Label is Person or FamiliarStranger: what the mention is recorded as when new.
	Label string
	// Name is the name as given ("Bob Smith", "Mrs Okafor", "my sister Pat", "the GP").
	Name string
	// Role is what a familiar stranger or service is known by (postman, GP), if any.
	Role string
	// AreaID is the area (street or neighbourhood) the person lives or works in, as given.
	AreaID string
	// Area is the area as given in the file, kept when it names no recorded area.
	Area string
	// AgeBand is the age band, if known.
	AgeBand string
	// Household identifies the household, if known.
	Household string
	// NamedBy is the source key of the respondent who named them ("" for a respondent).
	NamedBy string
	// InterviewID identifies the interview the mention comes from.
	InterviewID string
	// NameGenerator is the question that produced the mention.
	NameGenerator string
}

// DecisionKind is what the matcher decided about a mention.
type DecisionKind int

const (
	// New: a new person, with no candidate worth a human's time (the zero value).
	New DecisionKind = iota
	// Linked: the mention is a person already known (or named earlier in the batch).
	Linked
	// Queued: a new person, with candidates a human should review (POSSIBLY_SAME_AS).
	Queued
)

// String names the kind as import reports show it.
func (k DecisionKind) String() string {
	switch k {
	case Linked:
		return "LINKED"
	case Queued:
		return "QUEUED"
	}
	return "NEW"
}

// Candidate is a person a mention may be, with its score and the evidence for it.
type Candidate struct {
	PersonID string
	Score    float64
	Reasons  []string
}

// Decision is the matcher's answer for one mention.
type Decision struct {
	Kind     DecisionKind
	PersonID string
	Score    float64
	Reasons  []string
	// Candidates are the people a Queued mention may be, best first.
	Candidates []Candidate
}

// Matcher decides, for each mention, which person it is.
type Matcher interface {
	Match(ctx context.Context, tx neo4j.ManagedTransaction, mentions []Mention) ([]Decision, error)
}
