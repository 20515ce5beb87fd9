package cypher

// linksToAuthority: who connects a person to authority.

import (
	"context"
	"fmt"
	"sort"

	"kith/apierr"
	"kith/nodeid"
)

// AuthorityLink is someone on the routes from a person to authority.
type AuthorityLink struct {
	Record        *Record
	Hops          int
	ShortestRoute int
	RouteCount    int
	Authorities   int
}

// AuthorityLinks is the answer to linksToAuthority.
type AuthorityLinks struct {
	Authorities []Reached
	Links       []AuthorityLink
	Routes      []*Record
}

// LinksToAuthority finds every shortest route from a person to each authority person or
// organisation within spec.MaxHops, and ranks the people and organisations on them that
// are not authorities themselves (an authority on the way is one reached).
// nodeSel shapes the nodes of links and authorities, routeSel the routes (nil: none).
func (s *Store) LinksToAuthority(ctx context.Context, scope Scope, person string, spec RouteSpec, nodeSel, routeSel *Selection) (*AuthorityLinks, error) {
	if l, ok := nodeid.Label(person); !ok || l != "Person" {
		return nil, apierr.BadUserInput("person", "is not the id of a Person")
	}
	if err := s.checkSpec(spec, []string{"Person", "Organisation"}, "options", "maxHops"); err != nil {
		return nil, err
	}
	b := newScopedBuilder(s.schema, scope)
	find := b.scopedPerson("a", person)
	id := b.param(person)
	authority := "t.isAuthority = true AND t.id <> " + id
	if guard := b.personGuard("t"); guard != "" {
		authority += " AND " + guard
	}
	nodeProj, err := b.nodeProjection("n", b.allLabels(), nodeSel)
	if err != nil {
		return nil, err
	}
	routes := "[]"
	if routeSel != nil {
		proj, err := b.routeProjection("p", routeSel)
		if err != nil {
			return nil, err
		}
		routes = fmt.Sprintf(`COLLECT { UNWIND ps AS p WITH p ORDER BY length(p) WITH last(nodes(p)) AS t, head(collect(p)) AS p
  WITH p ORDER BY length(p), last(nodes(p)).id LIMIT 50 RETURN %s }`, proj)
	}
	q := fmt.Sprintf(`%[1]s
CALL (a) {
  MATCH p = ALL SHORTEST (a)%[2]s(t:Person|Organisation WHERE %[6]s)
  WITH p LIMIT %[3]d
  RETURN collect(p) AS ps
}
RETURN a IS NOT NULL AS found, [p IN ps | [n IN nodes(p) | n.id]] AS paths,
  COLLECT { UNWIND ps AS p UNWIND tail(nodes(p)) AS n WITH DISTINCT n RETURN %[4]s } AS nodes,
  %[5]s AS routes,
  COLLECT { UNWIND ps AS p UNWIND nodes(p) AS n WITH DISTINCT n WHERE n.isAuthority = true RETURN n.id } AS authorities`,
		find, b.hops(spec, "Person|Organisation", "", 1, spec.MaxHops), routesPerQuery, nodeProj, routes, authority)
	row, err := s.readRow(ctx, q, b.params)
	if err != nil {
		return nil, err
	}
	if found, _ := row.Values[0].(bool); !found {
		return nil, apierr.NotFound("person", "no Person has id %s", person)
	}
	nodes := map[string]*Record{}
	for _, n := range row.Values[2].([]any) {
		rec := decodeRecord(n)
		nodes[rec.Props["id"].(string)] = rec
	}
	out := &AuthorityLinks{}
	for _, r := range row.Values[3].([]any) {
		out.Routes = append(out.Routes, decodeRecord(r))
	}
	type tally struct {
		hops, shortest, routes int
		auth                   map[string]bool
	}
	// An authority on the way to another is reached itself: it is not a link.
	isAuthority := map[string]bool{}
	for _, id := range row.Values[4].([]any) {
		isAuthority[id.(string)] = true
	}
	links := map[string]*tally{}
	authHops := map[string]int{}
	for _, p := range row.Values[1].([]any) {
		ids := p.([]any)
		length := len(ids) - 1
		auth := ids[length].(string)
		if h, ok := authHops[auth]; !ok || length < h {
			authHops[auth] = length
		}
		for i, x := range ids[1:length] {
			id := x.(string)
			if isAuthority[id] {
				continue
			}
			t := links[id]
			if t == nil {
				t = &tally{hops: i + 1, shortest: length, auth: map[string]bool{}}
				links[id] = t
			}
			t.hops, t.shortest = min(t.hops, i+1), min(t.shortest, length)
			t.routes++
			t.auth[auth] = true
		}
	}
	for id, h := range authHops {
		out.Authorities = append(out.Authorities, Reached{Record: nodes[id], Hops: h})
	}
	sort.Slice(out.Authorities, func(i, j int) bool {
		a, b := out.Authorities[i], out.Authorities[j]
		return a.Hops < b.Hops || a.Hops == b.Hops && a.Record.Props["id"].(string) < b.Record.Props["id"].(string)
	})
	for id, t := range links {
		out.Links = append(out.Links, AuthorityLink{Record: nodes[id], Hops: t.hops, ShortestRoute: t.shortest, RouteCount: t.routes, Authorities: len(t.auth)})
	}
	sort.Slice(out.Links, func(i, j int) bool {
		a, b := out.Links[i], out.Links[j]
		if a.ShortestRoute != b.ShortestRoute {
			return a.ShortestRoute < b.ShortestRoute
		}
		if a.RouteCount != b.RouteCount {
			return a.RouteCount > b.RouteCount
		}
		if a.Hops != b.Hops {
			return a.Hops < b.Hops
		}
		return a.Record.Props["id"].(string) < b.Record.Props["id"].(string)
	})
	return out, nil
}
