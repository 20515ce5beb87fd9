package bench

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/nodeid"
)

// workload is one kind of request, written three ways: the Cypher a careful hand-written
// client would send (the floor), Kith's GraphQL, and the equivalent @neo4j/graphql query
// over typedefs.graphql. A nil way is not run on that system. Request i of a workload is
// built from the same inputs on every system.
//
// Adding a workload is one entry in workloads().
type workload struct {
	name  string // short name, used on the command line and in the JSON
	title string // what it is, for the Markdown table
	// nested marks the nested reads that Kith's p50 is held to within 1.25x of raw.
	nested bool
	// write marks workloads that create data; what they create is deleted after each run.
	write bool
	// requires lists the root fields Kith's schema must have; when one is missing the
	// workload is reported as not yet available.
	requires []string
	// pending marks workloads whose Kith query was written before Kith's schema had the
	// field: when Kith refuses it, the workload is reported as not yet available.
	pending bool

	raw          func(in *inputs, i int) cypherRequest
	kith         func(in *inputs, i int) gqlRequest
	neo4jGraphQL func(in *inputs, i int) gqlRequest

	// checks compare what the systems returned for request 0, to show they do the same work.
	checks []check
	// checkCreated compares what request 0 of a write workload created, counted in Neo4j.
	checkCreated bool
}

// check is one number compared across systems: read from the raw records, and from the
// GraphQL responses as the sum over JSON paths (a list counts its items, a number its value).
type check struct {
	what         string
	raw          func(recs []*neo4j.Record) int
	kith         []string
	neo4jGraphQL []string
}

// The GraphQL documents. Kith's follow schema/*.graphqls; @neo4j/graphql's follow the
// schema the library generates from bench/neo4jgraphql/typedefs.graphql (version 7).
const (
	kithNested = `query NestedRead($id: ID!) {
  node(id: $id) {
    ... on Person {
      id displayName
      ties(kinds: [KNOWS, TRUSTS]) { kind other { id } }
      memberships { role group { id name meetsAt { id name } } }
    }
  }
}`
	neoNested = `query NestedRead($id: ID!) {
  people(where: { id: { eq: $id } }) {
    id displayName
    knows(limit: 50) { id }
    trusts(limit: 50) { ... on Person { id } ... on FamiliarStranger { id } ... on Organisation { id } }
    trustedBy(limit: 50) { id }
    memberOfConnection(first: 50) { edges { properties { role } node { id name meetsAt(limit: 50) { id name } } } }
  }
}`
	rawNested = `MATCH (p:Person {id: $id})
RETURN p {.id, .displayName,
  ties: COLLECT { MATCH (p)-[r:KNOWS|TRUSTS]-(o) WITH r, o ORDER BY type(r), o.id, r.id LIMIT 50 RETURN {kind: type(r), id: o.id} },
  memberships: COLLECT { MATCH (p)-[r:MEMBER_OF]->(g:Group) WITH r, g ORDER BY g.name, g.id, r.id LIMIT 50
    RETURN {role: r.role, group: g {.id, .name,
      meetsAt: COLLECT { MATCH (g)-[:MEETS_AT]->(pl:Place) WITH DISTINCT pl ORDER BY pl.name, pl.id LIMIT 50 RETURN pl {.id, .name} }}} }
} AS person`

	kithPage = `query Page {
  people(first: 100, orderBy: [{ field: DISPLAY_NAME }]) {
    edges { cursor node { id displayName memberships { role group { id name } } } }
    pageInfo { hasNextPage endCursor }
  }
}`
	neoPage = `query Page {
  peopleConnection(first: 100, sort: [{ displayName: ASC }, { id: ASC }]) {
    edges { cursor node { id displayName memberOfConnection(first: 50) { edges { properties { role } node { id name } } } } }
    pageInfo { hasNextPage endCursor }
  }
}`
	// The named people in the order of the displayName index, then (only when they do not
	// fill the page) the unnamed, who sort last: what Kith's store does, written by hand.
	rawPage = `CALL () { MATCH (p:Person) WHERE p.displayName IS NOT NULL WITH p ORDER BY p.displayName, p.id LIMIT 101 RETURN collect(p) AS named }
CALL (named) {
  UNWIND CASE WHEN size(named) < 101 THEN [true] ELSE [] END AS short
  MATCH (p:Person) WHERE p.displayName IS NULL WITH p ORDER BY p.id LIMIT 101 RETURN collect(p) AS unnamed
}
UNWIND (named + unnamed)[0..101] AS p
RETURN p {.id, .displayName,
  memberships: COLLECT { MATCH (p)-[r:MEMBER_OF]->(g:Group) WITH r, g ORDER BY g.name, g.id, r.id LIMIT 50 RETURN {role: r.role, group: g {.id, .name}} }
} AS person`

	kithFiltered = `query Filtered($household: String!, $wellbeing: Int!, $area: String!) {
  people(first: 20,
    where: { householdType: { eq: $household }, wellbeing: { lte: $wellbeing }, area: { some: { name: { eq: $area } } } },
    orderBy: [{ field: WELLBEING }, { field: DISPLAY_NAME }]) {
    totalCount
    edges { node { id displayName wellbeing ageBand } }
  }
}`
	neoFiltered = `query Filtered($household: String!, $wellbeing: Int!, $area: String!) {
  peopleConnection(first: 20,
    where: { householdType: { eq: $household }, wellbeing: { lte: $wellbeing }, area: { some: { name: { eq: $area } } } },
    sort: [{ wellbeing: ASC }, { displayName: ASC }, { id: ASC }]) {
    totalCount
    edges { node { id displayName wellbeing ageBand } }
  }
}`
	// The area as a pattern, so that the planner may start from it (its residents), and
	// not as a subquery tested person by person: what Kith's store does, written by hand.
	rawFiltered = `MATCH (p:Person)-[:LIVES_IN]->(a:Area)
WHERE a.name = $area AND p.householdType = $household AND p.wellbeing <= $wellbeing
WITH DISTINCT p
WITH p ORDER BY p.wellbeing, p.displayName, p.id
WITH collect(p) AS matches
RETURN size(matches) AS total, [p IN matches[0..21] | p {.id, .displayName, .wellbeing, .ageBand}] AS rows`

	kithCreate = `mutation Create($people: [PersonInput!]!, $ties: [TieInput!]!) {
  createPeople(input: $people) { id }
  createTies(input: $ties) { id }
}`
	neoCreate = `mutation Create($input: [PersonCreateInput!]!) {
  createPeople(input: $input) { people { id } }
}`
	rawCreate = `UNWIND $rows AS row
MERGE (p:Person {externalId: row.externalId})
ON CREATE SET p:Entity, p.id = row.id, p.createdAt = datetime()
SET p.displayName = row.displayName, p.ageBand = row.ageBand, p.wellbeing = row.wellbeing, p.updatedAt = datetime()
WITH p, row
MATCH (a:Area {id: row.area})
MATCH (o:Person {id: row.knows})
MATCH (g:Group {id: row.group})
MERGE (p)-[l:LIVES_IN]->(a)
  ON CREATE SET l.id = row.livesInId, l.createdAt = datetime(), l.source = $source, l.recordedAt = datetime()
MERGE (p)-[k:KNOWS]->(o)
  ON CREATE SET k.id = row.knowsId, k.createdAt = datetime(), k.strength = 'WEAK', k.source = $source, k.recordedAt = datetime()
MERGE (p)-[m:MEMBER_OF]->(g)
  ON CREATE SET m.id = row.memberId, m.createdAt = datetime(), m.role = 'MEMBER', m.source = $source, m.recordedAt = datetime()
RETURN count(p) AS created`

	// The questions of issue 3 (Kith only: @neo4j/graphql has no equivalent without custom
	// Cypher). The raw statements do what Kith's store does, written by hand.
	kithPath = `query Path($from: ID!, $activity: String!) {
  shortestTrustedPath(from: $from, to: { activity: $activity }) {
    length
    steps { node { id ... on Person { displayName } ... on Group { name } } tie { kind } }
  }
}`
	rawPath = `MATCH (a:Person {id: $from})
MATCH p = SHORTEST 1 (a)((:Person)-[:KNOWS|TRUSTS]-(:Person)){0,3}(:Person)-[:MEMBER_OF]->(g:Group WHERE toLower(trim(g.activity)) = $activity)
WITH p ORDER BY length(p) LIMIT 1
RETURN length(p) AS length,
  [n IN nodes(p) | n {.id, .displayName, .name}] AS nodes,
  [r IN relationships(p) | {kind: type(r), id: r.id}] AS ties`

	kithAuthority = `query Links($person: ID!) {
  linksToAuthority(person: $person, maxHops: 3) {
    reachable
    authorities { hops node { id } }
    links { hops shortestRoute routeCount authorities node { id ... on Person { displayName } } }
    routes { length steps { node { id } } }
  }
}`
	rawAuthority = `MATCH (a:Person {id: $person})
CALL (a) {
  MATCH p = ALL SHORTEST (a)((:Person|Organisation)-[:KNOWS|TRUSTS|WORKS_FOR]-(:Person|Organisation)){1,3}(t:Person|Organisation WHERE t.isAuthority = true AND t.id <> $person)
  WITH p LIMIT 500
  RETURN collect(p) AS ps
}
RETURN size(ps) > 0 AS reachable,
  COLLECT { UNWIND ps AS p WITH last(nodes(p)) AS t, min(length(p)) AS hops ORDER BY hops, t.id RETURN {id: t.id, hops: hops} } AS authorities,
  COLLECT { UNWIND ps AS p UNWIND range(1, length(p) - 1) AS i
            WITH nodes(p)[i] AS n, i, p, last(nodes(p)) AS t
            WITH n, min(i) AS hops, min(length(p)) AS shortest, count(p) AS routes, count(DISTINCT t) AS auths
            ORDER BY shortest, routes DESC, n.id LIMIT 50
            RETURN {id: n.id, displayName: n.displayName, hops: hops, shortestRoute: shortest, routeCount: routes, authorities: auths} } AS links,
  COLLECT { UNWIND ps AS p WITH last(nodes(p)) AS t, p ORDER BY length(p)
            WITH t, head(collect(p)) AS p ORDER BY length(p), t.id LIMIT 50
            RETURN [n IN nodes(p) | n.id] } AS routes`
)

// createBatch is how many people one request of the write workload creates.
const createBatch = 100

// benchSource is the provenance the write workload records on its ties.
const benchSource = "kith bench"

// workloads returns the workload table, reads first.
func workloads() []*workload {
	return []*workload{
		{
			name:   "nested-read",
			title:  "person by id with ties, memberships and the groups' places (depth 3)",
			nested: true, requires: []string{"node"},
			raw: func(in *inputs, i int) cypherRequest {
				return cypherRequest{query: rawNested, params: map[string]any{"id": in.person(i)}}
			},
			kith: func(in *inputs, i int) gqlRequest {
				return gqlRequest{Query: kithNested, Variables: map[string]any{"id": in.person(i)}}
			},
			neo4jGraphQL: func(in *inputs, i int) gqlRequest {
				return gqlRequest{Query: neoNested, Variables: map[string]any{"id": in.person(i)}}
			},
			checks: []check{
				{what: "ties", raw: rawListLen("ties"), kith: []string{"data.node.ties"},
					neo4jGraphQL: []string{"data.people.0.knows", "data.people.0.trusts", "data.people.0.trustedBy"}},
				{what: "memberships", raw: rawListLen("memberships"), kith: []string{"data.node.memberships"},
					neo4jGraphQL: []string{"data.people.0.memberOfConnection.edges"}},
			},
		},
		{
			name:   "page",
			title:  "a page of 100 people by name, with memberships",
			nested: true, requires: []string{"people"},
			raw: func(in *inputs, i int) cypherRequest { return cypherRequest{query: rawPage} },
			kith: func(in *inputs, i int) gqlRequest {
				return gqlRequest{Query: kithPage}
			},
			neo4jGraphQL: func(in *inputs, i int) gqlRequest {
				return gqlRequest{Query: neoPage}
			},
			checks: []check{{what: "people", raw: func(recs []*neo4j.Record) int { return min(len(recs), 100) },
				kith: []string{"data.people.edges"}, neo4jGraphQL: []string{"data.peopleConnection.edges"}}},
		},
		{
			name:     "filtered",
			title:    "people filtered by household, wellbeing and area, sorted, first 20 with totalCount",
			requires: []string{"people"},
			raw: func(in *inputs, i int) cypherRequest {
				return cypherRequest{query: rawFiltered, params: in.filter(i)}
			},
			kith: func(in *inputs, i int) gqlRequest {
				return gqlRequest{Query: kithFiltered, Variables: in.filter(i)}
			},
			neo4jGraphQL: func(in *inputs, i int) gqlRequest {
				return gqlRequest{Query: neoFiltered, Variables: in.filter(i)}
			},
			checks: []check{{what: "totalCount", raw: func(recs []*neo4j.Record) int { return recordInt(recs, 0) },
				kith: []string{"data.people.totalCount"}, neo4jGraphQL: []string{"data.peopleConnection.totalCount"}}},
		},
		{
			name:     "batch-create",
			title:    "create 100 people, each living in an area, knowing a resident and in a group (300 ties)",
			write:    true,
			requires: []string{"createPeople", "createTies"},
			raw: func(in *inputs, i int) cypherRequest {
				return cypherRequest{query: rawCreate, write: true,
					params: map[string]any{"rows": in.rawBatch(sysRaw, i), "source": benchSource}}
			},
			kith: func(in *inputs, i int) gqlRequest {
				people, ties := in.kithBatch(i)
				return gqlRequest{Query: kithCreate, Variables: map[string]any{"people": people, "ties": ties}}
			},
			neo4jGraphQL: func(in *inputs, i int) gqlRequest {
				return gqlRequest{Query: neoCreate, Variables: map[string]any{"input": in.neo4jGraphQLBatch(i)}}
			},
			checkCreated: true,
		},
		{
			name:     "trusted-path",
			title:    "shortest trusted path from a person to a knit and natter group, with its steps",
			requires: []string{"shortestTrustedPath"}, pending: true,
			raw: func(in *inputs, i int) cypherRequest {
				return cypherRequest{query: rawPath, params: map[string]any{"from": in.person(i), "activity": "knit and natter"}}
			},
			kith: func(in *inputs, i int) gqlRequest {
				return gqlRequest{Query: kithPath, Variables: map[string]any{"from": in.person(i), "activity": "knit and natter"}}
			},
			checks: []check{{what: "route length", raw: func(recs []*neo4j.Record) int { return recordInt(recs, 0) },
				kith: []string{"data.shortestTrustedPath.length"}}},
		},
		{
			name:     "authority-links",
			title:    "links to authority of a person within 3 hops, with the routes",
			requires: []string{"linksToAuthority"}, pending: true,
			raw: func(in *inputs, i int) cypherRequest {
				return cypherRequest{query: rawAuthority, params: map[string]any{"person": in.person(i)}}
			},
			kith: func(in *inputs, i int) gqlRequest {
				return gqlRequest{Query: kithAuthority, Variables: map[string]any{"person": in.person(i)}}
			},
			checks: []check{{what: "authorities reached", raw: recordLen(1), kith: []string{"data.linksToAuthority.authorities"}}},
		},
	}
}

// findWorkload returns the workload with the given name, or nil.
func findWorkload(name string) *workload {
	for _, w := range workloads() {
		if w.name == name {
			return w
		}
	}
	return nil
}

func workloadNames() []string {
	var out []string
	for _, w := range workloads() {
		out = append(out, w.name)
	}
	return out
}

// person returns the i-th person of the sample, cycling.
func (in *inputs) person(i int) string { return in.people[i%len(in.people)] }

// filter returns the parameters of the i-th filtered list: every household type in every
// area, with a wellbeing threshold that varies.
func (in *inputs) filter(i int) map[string]any {
	h := in.householdTypes[i%len(in.householdTypes)]
	a := in.areaNames[(i/len(in.householdTypes))%len(in.areaNames)]
	return map[string]any{"household": h, "wellbeing": int64(16 + i%8), "area": a}
}

// newPerson describes person j of the i-th batch a system creates.
type newPerson struct {
	id, externalId, displayName, ageBand string
	wellbeing                            int64
	area, knows, group                   string
}

func (in *inputs) batch(system string, i int) []newPerson {
	out := make([]newPerson, createBatch)
	ages := []string{"16-24", "25-44", "45-64", "65-74", "75+"}
	for j := range out {
		k := i*createBatch + j
		out[j] = newPerson{
			id:          nodeid.New("Person"),
			externalId:  benchPrefix + in.runID + "-" + system + "-" + strconv.Itoa(i) + "-" + strconv.Itoa(j),
			displayName: "zz bench " + strconv.Itoa(i) + " " + strconv.Itoa(j),
			ageBand:     ages[k%len(ages)],
			wellbeing:   int64(7 + k%29),
			area:        in.areas[k%len(in.areas)],
			knows:       in.people[k%len(in.people)],
			group:       in.groups[k%len(in.groups)],
		}
	}
	return out
}

func (in *inputs) rawBatch(system string, i int) []any {
	rows := make([]any, 0, createBatch)
	for _, p := range in.batch(system, i) {
		rows = append(rows, map[string]any{
			"id": p.id, "externalId": p.externalId, "displayName": p.displayName, "ageBand": p.ageBand,
			"wellbeing": p.wellbeing, "area": p.area, "knows": p.knows, "group": p.group,
			"livesInId": nodeid.New("Tie"), "knowsId": nodeid.New("Tie"), "memberId": nodeid.New("Tie"),
		})
	}
	return rows
}

func (in *inputs) kithBatch(i int) (people, ties []any) {
	for _, p := range in.batch(sysKith, i) {
		people = append(people, map[string]any{
			"externalId": p.externalId, "displayName": p.displayName, "ageBand": p.ageBand,
			"wellbeing": p.wellbeing, "areaId": p.area,
		})
		from := map[string]any{"type": "PERSON", "externalId": p.externalId}
		ties = append(ties,
			map[string]any{"kind": "KNOWS", "from": from, "to": map[string]any{"id": p.knows}, "strength": "WEAK", "source": benchSource},
			map[string]any{"kind": "MEMBER_OF", "from": from, "to": map[string]any{"id": p.group}, "role": "MEMBER", "source": benchSource})
	}
	return people, ties
}

func (in *inputs) neo4jGraphQLBatch(i int) []any {
	now := time.Now().UTC().Format(time.RFC3339)
	connect := func(id string, edge map[string]any) map[string]any {
		edge["id"], edge["source"], edge["recordedAt"] = nodeid.New("Tie"), benchSource, now
		return map[string]any{"connect": []any{map[string]any{"where": map[string]any{"node": map[string]any{"id": map[string]any{"eq": id}}}, "edge": edge}}}
	}
	var out []any
	for _, p := range in.batch(sysNeo4jGraphQL, i) {
		out = append(out, map[string]any{
			"id": p.id, "externalId": p.externalId, "displayName": p.displayName, "ageBand": p.ageBand, "wellbeing": p.wellbeing,
			"area":     connect(p.area, map[string]any{}),
			"knows":    connect(p.knows, map[string]any{"strength": "WEAK"}),
			"memberOf": connect(p.group, map[string]any{"role": "MEMBER"}),
		})
	}
	return out
}

// createdPrefix is the externalId prefix of what request i of a system's write workload
// creates.
func (in *inputs) createdPrefix(system string, i int) string {
	return benchPrefix + in.runID + "-" + system + "-" + strconv.Itoa(i) + "-"
}

// rawListLen counts the items of a list in the map the first record returns.
func rawListLen(key string) func(recs []*neo4j.Record) int {
	return func(recs []*neo4j.Record) int {
		if len(recs) == 0 {
			return 0
		}
		m, _ := recs[0].Values[0].(map[string]any)
		l, _ := m[key].([]any)
		return len(l)
	}
}

// recordLen counts the items of the list in column c of the first record.
func recordLen(c int) func(recs []*neo4j.Record) int {
	return func(recs []*neo4j.Record) int {
		if len(recs) == 0 || len(recs[0].Values) <= c {
			return 0
		}
		l, _ := recs[0].Values[c].([]any)
		return len(l)
	}
}

// recordInt returns column c of the first record as an int.
func recordInt(recs []*neo4j.Record, c int) int {
	if len(recs) == 0 || len(recs[0].Values) <= c {
		return 0
	}
	n, _ := recs[0].Values[c].(int64)
	return int(n)
}

// jsonCount follows a dotted path (map keys and list indexes) through a decoded JSON
// value: a list counts its items, a number its value, anything else 0.
func jsonCount(v any, path string) (int, error) {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return 0, fmt.Errorf("%s: no item %s", path, part)
			}
			v = x[i]
		default:
			return 0, fmt.Errorf("%s: nothing at %s", path, part)
		}
	}
	switch x := v.(type) {
	case []any:
		return len(x), nil
	case float64:
		return int(x), nil
	}
	return 0, nil
}
