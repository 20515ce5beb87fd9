package survey

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/cypher"
	"kith/nodeid"
)

// This file is every statement the importer sends: the one place that writes an interview,
// following the shared contract for survey waves (a tie is one relationship per start,
// end, type and meaning key, whose `waves` list gains the wave; an Observation is one
// node per person and wave). When the store gains functions of its own for these, the
// statements here are what they replace.

// SourceKeyLabel labels the nodes that remember which Kith node a source key (a
// respondent's or alter's key in an export) was imported as: {key}, tied
// (:SourceKey)-[:SOURCE_OF]->(node). They hold no personal data (keys are the source's
// UUIDs or row ids) and are not in the closed table, so no query reads them.
const SourceKeyLabel = "SourceKey"

// tx is one interview's (or a dry run's) transaction.
type tx struct {
	ctx   context.Context
	store *cypher.Store
	tx    neo4j.ManagedTransaction
}

func (t tx) run(q string, params map[string]any) ([]*neo4j.Record, error) {
	return t.store.Run(t.ctx, t.tx, q, params)
}

// sourceKeys returns the Kith id and label each already-imported source key names.
func (t tx) sourceKeys(keys []string) (map[string][2]string, error) {
	recs, err := t.run(`UNWIND $keys AS k
MATCH (:SourceKey {key: k})-[:SOURCE_OF]->(n:Entity)
RETURN k, n.id, [l IN labels(n) WHERE l <> 'Entity'][0]`, map[string]any{"keys": keys})
	if err != nil {
		return nil, err
	}
	out := map[string][2]string{}
	for _, r := range recs {
		out[r.Values[0].(string)] = [2]string{r.Values[1].(string), r.Values[2].(string)}
	}
	return out, nil
}

// resolveAreas returns the area each text names: an Area whose id it is, or the one Area
// whose name it is (ignoring case). A name two areas share names neither.
func (t tx) resolveAreas(texts []string) (map[string]string, error) {
	recs, err := t.run(`UNWIND $texts AS t
OPTIONAL MATCH (byId:Area {id: t})
OPTIONAL MATCH (byName:Area) WHERE toLower(byName.name) = toLower(t)
WITH t, byId, collect(byName.id) AS named
RETURN t, coalesce(byId.id, CASE WHEN size(named) = 1 THEN named[0] END)`, map[string]any{"texts": texts})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range recs {
		if id, ok := r.Values[1].(string); ok {
			out[r.Values[0].(string)] = id
		}
	}
	return out, nil
}

// areasWithin returns the ids of the areas areas holds, themselves included.
func (t tx) areasWithin(areas []string) (map[string]bool, error) {
	recs, err := t.run(`MATCH (a:Area)-[:IN*0..10]->(b:Area) WHERE b.id IN $areas RETURN collect(DISTINCT a.id)`,
		map[string]any{"areas": areas})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, v := range recs[0].Values[0].([]any) {
		out[v.(string)] = true
	}
	return out, nil
}

// livingIn returns which of the nodes live (Person: LIVES_IN) or are (IN) in one of the
// areas.
func (t tx) livingIn(ids []string, areas map[string]bool) (map[string]bool, error) {
	list := make([]string, 0, len(areas))
	for a := range areas {
		list = append(list, a)
	}
	recs, err := t.run(`UNWIND $ids AS id MATCH (n:Entity {id: id})-[:LIVES_IN|IN]->(a:Area)
WHERE a.id IN $areas RETURN collect(DISTINCT id)`, map[string]any{"ids": ids, "areas": list})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, v := range recs[0].Values[0].([]any) {
		out[v.(string)] = true
	}
	return out, nil
}

// waveID returns the id of the wave named by id or name, "" when none.
func (t tx) waveID(w string) (string, error) {
	recs, err := t.run(`MATCH (w:Wave) WHERE w.id = $w OR w.name = $w RETURN w.id ORDER BY w.id LIMIT 2`, map[string]any{"w": w})
	if err != nil || len(recs) != 1 {
		return "", err
	}
	return recs[0].Values[0].(string), nil
}

// namedNodes returns, for each name, the ids of the groups, places or organisations of
// the label with that name (ignoring case), those in the given area first.
func (t tx) namedNodes(label string, items []map[string]any) (map[string][]string, error) {
	recs, err := t.run(fmt.Sprintf(`UNWIND $items AS x
MATCH (n:%s) WHERE toLower(n.name) = toLower(x.name)
OPTIONAL MATCH (n)-[:IN]->(a:Area {id: x.area})
WITH x, n ORDER BY a IS NULL, n.id
RETURN x.key, collect(n.id)`, label), map[string]any{"items": items})
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, r := range recs {
		for _, v := range r.Values[1].([]any) {
			out[r.Values[0].(string)] = append(out[r.Values[0].(string)], v.(string))
		}
	}
	return out, nil
}

// newNode is a node the interview creates.
type newNode struct {
	Label, ID, Area string
	Props           map[string]any
}

// createNodes creates the nodes, each with its area tie (LIVES_IN for a person, IN for
// the rest) when its area resolved to one.
func (t tx) createNodes(nodes []newNode, source string, at time.Time) error {
	byLabel := map[string][]any{}
	for _, n := range nodes {
		var area any
		if n.Area != "" {
			area = n.Area
		}
		byLabel[n.Label] = append(byLabel[n.Label], map[string]any{"id": n.ID, "props": n.Props, "area": area, "tie": nodeid.New("Tie")})
	}
	for _, label := range sortedKeys(byLabel) {
		tie := "IN"
		if label == "Person" {
			tie = "LIVES_IN"
		}
		_, err := t.run(fmt.Sprintf(`UNWIND $rows AS x
CREATE (n:%s:Entity {id: x.id, createdAt: datetime(), updatedAt: datetime()})
SET n += x.props
WITH n, x WHERE x.area IS NOT NULL
MATCH (a:Area {id: x.area})
CREATE (n)-[:%s {id: x.tie, key: '|', createdAt: datetime(), updatedAt: datetime(), recordedAt: $at, source: $source}]->(a)`, label, tie),
			map[string]any{"rows": byLabel[label], "at": at, "source": source})
		if err != nil {
			return err
		}
	}
	return nil
}

// keepSourceKeys remembers which node each source key was imported as.
func (t tx) keepSourceKeys(keys map[string]string) error {
	rows := make([]any, 0, len(keys))
	for _, k := range sortedKeys(keys) {
		rows = append(rows, map[string]any{"key": k, "id": keys[k]})
	}
	_, err := t.run(`UNWIND $rows AS x
MATCH (n:Entity {id: x.id})
MERGE (s:SourceKey {key: x.key}) ON CREATE SET s.createdAt = datetime()
MERGE (s)-[:SOURCE_OF]->(n)`, map[string]any{"rows": rows})
	return err
}

// tieRow is one tie to record in the wave.
type tieRow struct {
	Spec     TieSpec
	From, To string
}

// recordTies merges each tie on its ends, type and meaning key and adds the wave to its
// waves (sorted, no repeats), with its source and the latest time it was recorded. A tie
// already recorded in the wave is left as it is, so a re-import writes nothing.
func (t tx) recordTies(ties []tieRow, wave, source string, at time.Time) error {
	byKind := map[string][]any{}
	for _, r := range ties {
		prop, val := r.Spec.keyProp()
		kind := r.Spec.Kind
		if prop != "" {
			kind += "." + prop
		}
		byKind[kind] = append(byKind[kind], map[string]any{"from": r.From, "to": r.To, "key": val, "id": nodeid.New("Tie")})
	}
	for _, kind := range sortedKeys(byKind) {
		typ, prop, _ := strings.Cut(kind, ".")
		match := ""
		if prop != "" {
			match = fmt.Sprintf(" {`%s`: t.key}", prop)
		}
		_, err := t.run(fmt.Sprintf(`UNWIND $rows AS t
MATCH (a:Entity {id: t.from})
MATCH (z:Entity {id: t.to})
MERGE (a)-[r:%s%s]->(z)
ON CREATE SET r.id = t.id, r.createdAt = datetime(), r.waves = []
WITH r WHERE NOT $wave IN r.waves
SET r.waves = COLLECT { UNWIND r.waves + [$wave] AS w WITH DISTINCT w ORDER BY w RETURN w },
    r.source = $source, r.updatedAt = datetime(),
    r.recordedAt = CASE WHEN r.recordedAt IS NULL OR r.recordedAt < $at THEN $at ELSE r.recordedAt END`, typ, match),
			map[string]any{"rows": byKind[kind], "wave": wave, "source": source, "at": at})
		if err != nil {
			return err
		}
	}
	return nil
}

// queueCandidates records a POSSIBLY_SAME_AS {score, reasons} tie from a new person to
// each candidate, for a human to review.
func (t tx) queueCandidates(rows []any, source string) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := t.run(`UNWIND $rows AS c
MATCH (a:Person {id: c.from})
MATCH (b:Person {id: c.to})
MERGE (a)-[r:POSSIBLY_SAME_AS]->(b)
ON CREATE SET r.id = c.id, r.score = c.score, r.reasons = c.reasons, r.source = $source,
  r.createdAt = datetime(), r.updatedAt = datetime(), r.recordedAt = datetime()`, map[string]any{"rows": rows, "source": source})
	return err
}

// recordObservation records what the wave measured about the person: one Observation per
// person and wave, (p)-[:OBSERVED]->(o)-[:IN_WAVE]->(w). One already recorded is kept as
// it is.
func (t tx) recordObservation(person, wave string, props map[string]any, at time.Time, method, interview string) error {
	_, err := t.run(`MATCH (p:Person {id: $person})
MATCH (w:Wave {id: $wave})
MERGE (o:Observation {personId: $person, waveId: $wave})
ON CREATE SET o += $props, o.id = $id, o.recordedAt = $at, o.method = $method, o.interviewId = $interview
MERGE (p)-[:OBSERVED]->(o)
MERGE (o)-[:IN_WAVE]->(w)`, map[string]any{"person": person, "wave": wave, "props": props, "id": observationID(person, wave),
		"at": at, "method": method, "interview": interview})
	return err
}

var idEnc = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// observationID is the id of the Observation of a person in a wave: derived from both,
// so that it is the same however often it is recorded.
func observationID(person, wave string) string {
	sum := sha256.Sum256([]byte(person + "\x00" + wave))
	return "obs_" + idEnc.EncodeToString(sum[:13])[:20]
}
