package resolvers

import (
	"kith/cypher"
	"kith/graph/model"
)

// routeSpec applies RouteOptions to a question's defaults.
func routeSpec(o *model.RouteOptions, spec cypher.RouteSpec) cypher.RouteSpec {
	if o == nil {
		return spec
	}
	if o.Kinds != nil {
		spec.Kinds = tieKindNames(o.Kinds)
	}
	if o.MinStrength != nil {
		spec.MinStrength = string(*o.MinStrength)
	}
	if o.Direction != nil {
		spec.Direction = string(*o.Direction)
	}
	if o.MaxHops != nil {
		spec.MaxHops = *o.MaxHops
	}
	spec.Wave = deref(o.Wave)
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
