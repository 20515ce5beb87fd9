package model

import (
	"time"

	"kith/paging"
)

// Connections whose edges are a node and its cursor are paging's: one place builds them
// (paging.Connect). Connections whose edges carry more (ranks, scores, tie counts) are
// generated, their edges built from the page's cursors (paging.Edges, or a ranking's
// rankedPage).
type (
	AreaConnection              = paging.Connection[*Area]
	AreaEdge                    = paging.Edge[*Area]
	EventConnection             = paging.Connection[*Event]
	EventEdge                   = paging.Edge[*Event]
	OccurrenceConnection        = paging.Connection[*Occurrence]
	OccurrenceEdge              = paging.Edge[*Occurrence]
	CommunityBridgeConnection   = paging.Connection[*CommunityBridge]
	CommunityBridgeEdge         = paging.Edge[*CommunityBridge]
	FamiliarStrangerConnection  = paging.Connection[*FamiliarStranger]
	FamiliarStrangerEdge        = paging.Edge[*FamiliarStranger]
	GiftConnection              = paging.Connection[*Gift]
	GiftEdge                    = paging.Edge[*Gift]
	GroupConnection             = paging.Connection[*Group]
	GroupEdge                   = paging.Edge[*Group]
	IdentityCandidateConnection = paging.Connection[*IdentityCandidate]
	IdentityCandidateEdge       = paging.Edge[*IdentityCandidate]
	InterestConnection          = paging.Connection[*Interest]
	InterestEdge                = paging.Edge[*Interest]
	OrganisationConnection      = paging.Connection[*Organisation]
	OrganisationEdge            = paging.Edge[*Organisation]
	PersonConnection            = paging.Connection[*Person]
	PersonEdge                  = paging.Edge[*Person]
	PlaceConnection             = paging.Connection[*Place]
	PlaceEdge                   = paging.Edge[*Place]
	WaveConnection              = paging.Connection[*Wave]
	WaveEdge                    = paging.Edge[*Wave]
)

// The node types of those connections are written here, not generated: gqlgen removes
// models_gen.go before it reads this package, so a connection cannot name a generated type.

// CommunityBridge is the GraphQL CommunityBridge (schema/analysis.graphqls).
type CommunityBridge struct {
	From          Node
	To            Node
	FromCommunity string
	ToCommunity   string
	Weight        float64
}

// IdentityCandidate is the GraphQL IdentityCandidate (schema/identity.graphqls).
type IdentityCandidate struct {
	PersonID      string
	PersonName    string
	CandidateID   string
	CandidateName string
	Score         float64
	Reasons       []string
	RecordedAt    *time.Time
}

// Occurrence is the GraphQL Occurrence (schema/events.graphqls): one occurrence of an event.
type Occurrence struct {
	EventID string
	Start   time.Time
	End     *time.Time
	Event   *Event
}
