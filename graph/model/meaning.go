package model

import (
	"fmt"
	"strings"
)

// Meaning says in words what a tie means from the side of one of its ends: out is true
// when that end made the tie (named the other, is the member). Contact.why and
// RouteStep.why both read it.
func Meaning(kind TieKind, purpose *TrustPurpose, strength *TieStrength, frequency *Frequency, out bool) string {
	pick := func(a, b string) string {
		if out {
			return a
		}
		return b
	}
	var s string
	switch kind {
	case TieKindTrusts:
		s = pick("trusts them", "trusted by them")
		if purpose != nil {
			s += " for " + strings.ToLower(string(*purpose))
		}
	case TieKindKnows:
		s = "knows them"
		if strength != nil {
			s += fmt.Sprintf(" (%s tie)", strings.ToLower(string(*strength)))
		}
	case TieKindSees:
		s = pick("sees them", "seen by them")
		if frequency != nil {
			s += " " + strings.ToLower(string(*frequency))
		}
	case TieKindMemberOf:
		s = pick("member of the group", "has them as a member")
	case TieKindUses:
		s = pick("uses the place", "used by them")
		if frequency != nil {
			s += " " + strings.ToLower(string(*frequency))
		}
	case TieKindGetsInfoFrom:
		s = pick("gets information from them", "gives them information")
	case TieKindEncourages:
		s = pick("encourages them", "encouraged by them")
	case TieKindInterestedIn:
		s = pick("interested in it", "of interest to them")
	case TieKindWorksFor:
		s = pick("works for them", "employs them")
	default:
		s = strings.ToLower(strings.ReplaceAll(string(kind), "_", " "))
	}
	return s
}

// Why is what the step's tie means, from the side of the step before; nil on the first step.
func (s *RouteStep) Why() *string {
	if s.Kind == nil || s.Forward == nil {
		return nil
	}
	w := Meaning(*s.Kind, s.For, s.Strength, s.Frequency, *s.Forward)
	return &w
}
