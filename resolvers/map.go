package resolvers

import (
	"errors"

	"kith/apierr"
	"kith/cypher"
	"kith/graph/model"
)

// maxMapTies bounds mapTies: the answer is held in memory and sent at once, and a map of
// more ties than this is more than a browser draws usefully.
const maxMapTies = 500_000

// mapLabels are the node types the community map draws, whose ties mapTies reads.
var mapLabels = []string{"Person", "Group", "Place", "Organisation", "FamiliarStranger"}

// errTooManyTies stops mapTies' read past maxMapTies.
var errTooManyTies = errors.New("too many ties")

// mapTie is a tie of the store as mapTies answers it.
func mapTie(t cypher.ExportTie) *model.MapTie {
	out := &model.MapTie{From: t.From, To: t.To, Kind: model.TieKind(t.Kind), Waves: t.Waves}
	if out.Waves == nil {
		out.Waves = []string{}
	}
	if t.Strength != "" {
		s := model.TieStrength(t.Strength)
		out.Strength = &s
	}
	if t.Purpose != "" {
		p := model.TrustPurpose(t.Purpose)
		out.For = &p
	}
	return out
}

// tooManyTies turns the stop of a read past maxMapTies into the caller's error.
func tooManyTies(err error) error {
	if errors.Is(err, errTooManyTies) {
		return apierr.BadUserInput("kinds", "more than %d ties of these kinds: ask for fewer kinds", maxMapTies)
	}
	return err
}
