package cypher

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// This file is what a survey wave measured about a person: one (:Observation) per person
// and wave, linked (p:Person)-[:OBSERVED]->(o)-[:IN_WAVE]->(w:Wave). An Observation's
// existence means "surveyed in this wave"; a measurement not asked is absent (null).
// docs/waves.md describes the model and the scales.

// ObservationLabel is the label of what a wave measured about a person. It is not in the
// Schema table: observations are written only through RecordObservations and read as
// Person.observations, never listed, filtered or copied to the research copy.
const ObservationLabel = "Observation"

// Observation methods: how the answers were collected.
var ObservationMethods = []string{"DOORSTEP", "PHONE", "ONLINE", "PAPER", "NETWORK_CANVAS", "MIGRATED"}

// Employment statuses an observation may record.
var EmploymentStatuses = []string{"EMPLOYED", "SELF_EMPLOYED", "UNEMPLOYED", "RETIRED", "STUDENT",
	"LONG_TERM_SICK_OR_DISABLED", "CARER", "OTHER"}

// HouseholdTypes an observation may record, as Person.householdType spells them.
var HouseholdTypes = []string{"single", "couple", "family", "single parent", "older living alone", "shared", "other"}

// AgeBands an observation may record, as Person.ageBand spells them.
var AgeBands = []string{"16-24", "25-44", "45-64", "65-74", "75+"}

// swemwbsMetric is the official conversion of a raw SWEMWBS score (7 to 35, index raw-7)
// to its metric score, from the Rasch model of Stewart-Brown et al. (2009), as Warwick
// Medical School publishes it.
var swemwbsMetric = [29]float64{7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36,
	16.88, 17.43, 17.98, 18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03,
	28.13, 29.31, 30.70, 32.55, 35.00}

// SWEMWBSMetric converts a raw SWEMWBS score (7 to 35) to the metric score; ok is false
// outside the range.
func SWEMWBSMetric(raw int) (metric float64, ok bool) {
	if raw < 7 || raw > 35 {
		return 0, false
	}
	return swemwbsMetric[raw-7], true
}

// ObservationInput is what one interview recorded about one person in one wave. Items
// are the answers to each question of a scale (1 to 5 each); a total may be given instead
// when only it was kept. Nil or empty means not asked.
type ObservationInput struct {
	// PersonID and WaveID name who was surveyed and in which wave (required).
	PersonID, WaveID string
	// RecordedAt is when the interview took place; now when zero.
	RecordedAt time.Time
	// Method is one of ObservationMethods but MIGRATED (required).
	Method string
	// InterviewID is the source system's key of the interview (a Network Canvas
	// networkCanvasEgoUUID, a roster row id), if any.
	InterviewID string
	// WEMWBSItems are the 14 Warwick-Edinburgh items, 1 to 5 each (total 14 to 70).
	WEMWBSItems []int
	// WEMWBS is the WEMWBS total, 14 to 70, when the items were not kept.
	WEMWBS *int
	// SWEMWBSItems are the 7 short-scale items, 1 to 5 each (raw total 7 to 35).
	SWEMWBSItems []int
	// SWEMWBSRaw is the raw SWEMWBS total, 7 to 35, when the items were not kept.
	SWEMWBSRaw *int
	// The ONS4 personal wellbeing questions, 0 to 10 each, kept apart (never summed).
	ONSLifeSatisfaction, ONSWorthwhile, ONSHappy, ONSAnxious *int
	// Employment is one of EmploymentStatuses, Household one of HouseholdTypes, AgeBand
	// one of AgeBands; "" when not asked.
	Employment, Household, AgeBand string
}

// observationID is the id of the observation of a person in a wave: the same for the
// same pair, so recording it again finds it (migration 0007 composes it the same way).
func observationID(personID, waveID string) string {
	return "obs_" + strings.TrimPrefix(personID, "per_") + "_" + strings.TrimPrefix(waveID, "wave_")
}

// observationProps checks one input and returns the properties to store, every
// measurement key present (nil when not asked), so recording again replaces them all.
func observationProps(in ObservationInput, path string) (map[string]any, error) {
	if l, ok := nodeid.Label(in.PersonID); !ok || l != "Person" {
		return nil, apierr.BadUserInput(path+".person", "is not the id of a Person")
	}
	if l, ok := nodeid.Label(in.WaveID); !ok || l != "Wave" {
		return nil, apierr.BadUserInput(path+".wave", "is not the id of a Wave")
	}
	if !contains(ObservationMethods, in.Method) || in.Method == "MIGRATED" {
		return nil, apierr.BadUserInput(path+".method", "must be one of %v but MIGRATED", ObservationMethods[:len(ObservationMethods)-1])
	}
	if len(in.InterviewID) > MaxStringLen {
		return nil, apierr.BadUserInput(path+".interviewId", "is longer than %d characters", MaxStringLen)
	}
	at := in.RecordedAt
	if at.IsZero() {
		at = time.Now()
	}
	props := map[string]any{
		"id": observationID(in.PersonID, in.WaveID), "personId": in.PersonID, "waveId": in.WaveID,
		"recordedAt": at.UTC(), "method": in.Method, "interviewId": nil,
		"wemwbs": nil, "swemwbsRaw": nil, "swemwbsMetric": nil,
		"onsLifeSatisfaction": nil, "onsWorthwhile": nil, "onsHappy": nil, "onsAnxious": nil,
		"employment": nil, "household": nil, "ageBand": nil,
	}
	if in.InterviewID != "" {
		props["interviewId"] = in.InterviewID
	}
	total, err := scaleTotal(in.WEMWBSItems, in.WEMWBS, 14, path+".wemwbsItems", path+".wemwbs")
	if err != nil {
		return nil, err
	}
	if total != nil {
		props["wemwbs"] = *total
	}
	raw, err := scaleTotal(in.SWEMWBSItems, in.SWEMWBSRaw, 7, path+".swemwbsItems", path+".swemwbsRaw")
	if err != nil {
		return nil, err
	}
	if raw != nil {
		props["swemwbsRaw"] = *raw
		m, _ := SWEMWBSMetric(int(*raw))
		props["swemwbsMetric"] = m
	}
	for name, v := range map[string]*int{"onsLifeSatisfaction": in.ONSLifeSatisfaction, "onsWorthwhile": in.ONSWorthwhile,
		"onsHappy": in.ONSHappy, "onsAnxious": in.ONSAnxious} {
		if v == nil {
			continue
		}
		if *v < 0 || *v > 10 {
			return nil, apierr.BadUserInput(path+"."+name, "must be between 0 and 10")
		}
		props[name] = int64(*v)
	}
	for _, c := range []struct {
		name, v string
		list    []string
	}{{"employment", in.Employment, EmploymentStatuses}, {"household", in.Household, HouseholdTypes}, {"ageBand", in.AgeBand, AgeBands}} {
		if c.v == "" {
			continue
		}
		if !contains(c.list, c.v) {
			return nil, apierr.BadUserInput(path+"."+c.name, "must be one of %q", c.list)
		}
		props[c.name] = c.v
	}
	return props, nil
}

// scaleTotal adds up a scale's items (n of them, 1 to 5 each) or checks a total given
// instead (n to 5n); nil when neither was given.
func scaleTotal(items []int, total *int, n int, itemsField, totalField string) (*int64, error) {
	switch {
	case len(items) > 0 && total != nil:
		return nil, apierr.BadUserInput(totalField, "give the items or the total, not both")
	case len(items) > 0:
		if len(items) != n {
			return nil, apierr.BadUserInput(itemsField, "has %d items; the scale has %d", len(items), n)
		}
		var sum int64
		for i, v := range items {
			if v < 1 || v > 5 {
				return nil, apierr.BadUserInput(fmt.Sprintf("%s[%d]", itemsField, i), "must be between 1 and 5")
			}
			sum += int64(v)
		}
		return &sum, nil
	case total != nil:
		if *total < n || *total > 5*n {
			return nil, apierr.BadUserInput(totalField, "must be between %d and %d", n, 5*n)
		}
		t := int64(*total)
		return &t, nil
	}
	return nil, nil
}

// RecordObservations records what interviews measured, in one write transaction, and
// returns the observations' ids in input order. An observation of the same person in the
// same wave is replaced (so recording it again changes nothing); a person outside the
// scope fails the batch with FORBIDDEN, an unknown person or wave with NOT_FOUND. The
// person's own wellbeing, householdType and ageBand become those of their latest observed
// wave (by collectedOn) that recorded them, so the person reads as they were last seen.
// The write is audited in the same transaction.
func (s *Store) RecordObservations(ctx context.Context, scope Scope, inputs []ObservationInput) ([]string, error) {
	if err := checkBatch(len(inputs)); err != nil {
		return nil, err
	}
	rows := make([]any, len(inputs))
	people, paths, waves := make([]string, len(inputs)), make([]string, len(inputs)), make([]string, len(inputs))
	ids := make([]string, len(inputs))
	seen := map[string]int{}
	for i, in := range inputs {
		path := fmt.Sprintf("input[%d]", i)
		props, err := observationProps(in, path)
		if err != nil {
			return nil, err
		}
		id := props["id"].(string)
		if j, dup := seen[id]; dup {
			return nil, apierr.BadUserInput(path, "records the same person and wave as input[%d]", j)
		}
		seen[id] = i
		rows[i] = map[string]any{"props": props}
		people[i], paths[i], waves[i], ids[i] = in.PersonID, path+".person", in.WaveID, id
	}
	_, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		gone, err := s.missing(ctx, tx, "Person", people)
		if err != nil {
			return nil, err
		}
		goneWaves, err := s.missing(ctx, tx, "Wave", waves)
		if err != nil {
			return nil, err
		}
		for i := range inputs {
			if gone[people[i]] {
				return nil, apierr.NotFound(paths[i], "no Person has id %s", people[i])
			}
			if goneWaves[waves[i]] {
				return nil, apierr.NotFound(fmt.Sprintf("input[%d].wave", i), "no Wave has id %s", waves[i])
			}
		}
		if err := s.checkPeopleInScope(ctx, tx, scope, people, paths); err != nil {
			return nil, err
		}
		if _, err := s.run(ctx, tx, `UNWIND $rows AS row
MATCH (p:Person {id: row.props.personId})
MATCH (w:Wave {id: row.props.waveId})
MERGE (o:`+ObservationLabel+` {personId: row.props.personId, waveId: row.props.waveId})
ON CREATE SET o.createdAt = datetime()
SET o += row.props, o.updatedAt = datetime()
MERGE (p)-[:OBSERVED]->(o)
MERGE (o)-[:IN_WAVE]->(w)
WITH DISTINCT p
CALL (p) {
  WITH p, [f IN ['swemwbsRaw', 'household', 'ageBand'] | head(COLLECT {
    MATCH (p)-[:OBSERVED]->(x:`+ObservationLabel+`)-[:IN_WAVE]->(xw:Wave) WHERE x[f] IS NOT NULL
    RETURN x[f] ORDER BY xw.collectedOn DESC, xw.id DESC LIMIT 1 })] AS latest
  SET p.wellbeing = coalesce(latest[0], p.wellbeing), p.householdType = coalesce(latest[1], p.householdType),
      p.ageBand = coalesce(latest[2], p.ageBand), p.updatedAt = datetime()
}`, map[string]any{"rows": rows}); err != nil {
			return nil, err
		}
		return nil, s.auditWrite(ctx, tx, people, nil)
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// observationsField is the expression for Person.observations of the person in v: one
// per wave that surveyed them, earliest wave first, or only the wave given. Wellbeing
// values follow the scope as Person.wellbeing does: null for a pseudonymising caller
// (analysts), null without consent for wellbeing where consent is respected (workers);
// the interview id is withheld from a pseudonymising caller as an externalId is.
func (b *builder) observationsField(v string, f Field) (string, error) {
	o, w := b.fresh("o"), b.fresh("w")
	pattern := fmt.Sprintf("(%s)-[:OBSERVED]->(%s:%s)-[:IN_WAVE]->(%s:Wave)", v, o, ObservationLabel, w)
	if id, ok := f.Args["wave"].(string); ok && id != "" {
		if l, ok := nodeid.Label(id); !ok || l != "Wave" {
			return "", apierr.BadUserInput(f.Alias+".wave", "is not the id of a Wave")
		}
		pattern += " WHERE " + w + ".id = " + b.param(id)
	}
	wellbeing := func(name string) string { return o + "." + name }
	switch {
	case b.scope.Pseudonymise:
		wellbeing = func(string) string { return "null" }
	case b.scope.RespectConsent:
		wellbeing = func(name string) string {
			return fmt.Sprintf("CASE WHEN %s.%s = true THEN %s.%s END", v, quote(consentProp(ConsentWellbeing)), o, name)
		}
	}
	parts := []string{typenameKey + ": 'Observation'", "personId: " + v + ".id",
		"recordedAt: " + o + ".recordedAt", "method: " + o + ".method",
		"employment: " + o + ".employment", "household: " + o + ".household", "ageBand: " + o + ".ageBand"}
	if b.scope.Pseudonymise {
		parts = append(parts, "interviewId: null")
	} else {
		parts = append(parts, "interviewId: "+o+".interviewId")
	}
	for _, name := range []string{"wemwbs", "swemwbsRaw", "swemwbsMetric", "onsLifeSatisfaction", "onsWorthwhile", "onsHappy", "onsAnxious"} {
		parts = append(parts, name+": "+wellbeing(name))
	}
	if f.Sub != nil {
		for _, sf := range f.Sub.Fields {
			if sf.Name != "wave" {
				continue
			}
			proj, err := b.nodeProjection(w, []string{"Wave"}, sf.Sub)
			if err != nil {
				return "", err
			}
			parts = append(parts, quote(relPrefix+sf.Alias)+": "+proj)
		}
	}
	return fmt.Sprintf("COLLECT { MATCH %s WITH %s, %s ORDER BY %s.collectedOn, %s.id RETURN {%s} }",
		pattern, o, w, w, w, strings.Join(parts, ", ")), nil
}

// respondentsField is the expression for Wave.respondents of the wave in v: how many of
// the people the caller may see it surveyed (an Observation each).
func (b *builder) respondentsField(v string) string {
	p := b.fresh("p")
	cond := ""
	if pred := b.personPredicate(p); pred != "" {
		cond = " WHERE " + pred
	}
	return fmt.Sprintf("COUNT { MATCH (%s:Person)-[:OBSERVED]->(:%s {waveId: %s.id})%s }", p, ObservationLabel, v, cond)
}

// deleteObservations deletes what the waves measured about the people (deletePeople,
// erasePerson), in the caller's transaction.
func (s *Store) deleteObservations(ctx context.Context, tx neo4j.ManagedTransaction, people []string) error {
	_, err := s.run(ctx, tx, "UNWIND $ids AS id MATCH (o:"+ObservationLabel+" {personId: id}) DETACH DELETE o", map[string]any{"ids": people})
	return err
}

// forgetWaves removes what deleted waves measured (their observations) and takes them off
// the waves of the ties they recorded, in the caller's transaction. The ties stay: they
// were true of the neighbourhood whichever round recorded them.
func (s *Store) forgetWaves(ctx context.Context, tx neo4j.ManagedTransaction, waves []string) error {
	if _, err := s.run(ctx, tx, "UNWIND $ids AS id MATCH (o:"+ObservationLabel+" {waveId: id}) DETACH DELETE o", map[string]any{"ids": waves}); err != nil {
		return err
	}
	_, err := s.run(ctx, tx, `MATCH ()-[r]->() WHERE any(w IN coalesce(r.waves, []) WHERE w IN $ids)
SET r.waves = [w IN r.waves WHERE NOT w IN $ids], r.updatedAt = datetime()`, map[string]any{"ids": waves})
	return err
}
