package resolvers

import (
	"fmt"
	"strings"

	"kith/cypher"
	"kith/graph/model"
)

// routeSpec turns RouteOptions into the store's RouteSpec, with the schema's defaults.
func routeSpec(o *model.RouteOptions) cypher.RouteSpec {
	spec := cypher.RouteSpec{Direction: "BOTH", MaxHops: 4}
	if o == nil {
		return spec
	}
	spec.Kinds = tieKindNames(o.Kinds)
	if o.MinStrength != nil && *o.MinStrength == model.TieStrengthStrong {
		spec.StrongOnly = true
	}
	if o.Direction != nil {
		spec.Direction = string(*o.Direction)
	}
	if o.MaxHops != nil {
		spec.MaxHops = *o.MaxHops
	}
	return spec
}

func routeTarget(t model.RouteTarget) cypher.Target {
	return cypher.Target{GroupID: deref(t.GroupID), Activity: deref(t.Activity), PersonID: deref(t.PersonID), Interest: deref(t.Interest)}
}

// tieKindNames keeps nil (use the default) apart from an empty list (an error).
func tieKindNames(kinds []model.TieKind) []string {
	if kinds == nil {
		return nil
	}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(n *int, def int) int {
	if n == nil {
		return def
	}
	return *n
}

func intProp(r *cypher.Record, name string) int {
	n, _ := r.Props[name].(int64)
	return int(n)
}

// why says in words what a contact's tie means, from the person's side.
func why(t *model.Tie, dir model.Direction) string {
	out := dir == model.DirectionOut
	var s string
	switch t.Kind {
	case model.TieKindTrusts:
		s = pick(out, "trusts them", "trusted by them")
		if t.For != nil {
			s += " for " + strings.ToLower(string(*t.For))
		}
	case model.TieKindKnows:
		s = "knows them"
		if t.Strength != nil {
			s += fmt.Sprintf(" (%s tie)", strings.ToLower(string(*t.Strength)))
		}
	case model.TieKindSees:
		s = "seen by them"
		if t.Frequency != nil {
			s += " " + strings.ToLower(string(*t.Frequency))
		}
	case model.TieKindMemberOf:
		s = "member of the group"
	case model.TieKindUses:
		s = "uses the place"
		if t.Frequency != nil {
			s += " " + strings.ToLower(string(*t.Frequency))
		}
	case model.TieKindGetsInfoFrom:
		s = pick(out, "gets information from them", "gives them information")
	case model.TieKindEncourages:
		s = pick(out, "encourages them", "encouraged by them")
	default:
		s = strings.ToLower(strings.ReplaceAll(string(t.Kind), "_", " "))
	}
	return s
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
