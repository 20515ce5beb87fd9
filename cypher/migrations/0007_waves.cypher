// 0007: survey waves hold measurements, and a tie is one relationship per meaning
// (docs/waves.md).
//
// What a wave measured about a person is an Observation, one per person and wave, looked
// up by id, by person and wave, and by wave (Wave.respondents, wave-restricted questions).
CREATE CONSTRAINT observation_id IF NOT EXISTS FOR (n:Observation) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT observation_person_wave IF NOT EXISTS FOR (n:Observation) REQUIRE (n.personId, n.waveId) IS UNIQUE;
CREATE INDEX observation_wave IF NOT EXISTS FOR (n:Observation) ON (n.waveId);
//
// A tie's wave becomes its list of waves, and its key keeps only its meaning (TRUSTS'
// purpose, KNOWS' strength), no longer the wave.
MATCH ()-[r]->() WHERE r.key IS NOT NULL AND r.waves IS NULL
CALL (r) {
  SET r.waves = CASE WHEN r.wave IS NULL THEN [] ELSE [r.wave] END,
      r.key = CASE type(r) WHEN 'TRUSTS' THEN coalesce(r.`for`, '') WHEN 'KNOWS' THEN coalesce(r.strength, '') ELSE '' END
  REMOVE r.wave
} IN TRANSACTIONS OF 5000 ROWS;
//
// The copies of one tie (same ends, type and meaning, recorded in several waves) become
// one: the latest recorded is kept, with every copy's waves and the earliest createdAt.
MATCH (a:Entity)
CALL (a) {
  MATCH (a)-[r]->(z) WHERE r.waves IS NOT NULL
  WITH z, type(r) AS t, r.key AS k, r ORDER BY r.recordedAt DESC, r.id
  WITH z, t, k, collect(r) AS rs WHERE size(rs) > 1
  WITH rs, head(rs) AS keep, tail(rs) AS dups,
       COLLECT { UNWIND rs AS y UNWIND y.waves AS w WITH DISTINCT w ORDER BY w RETURN w } AS waves,
       COLLECT { UNWIND rs AS y WITH y.createdAt AS c WHERE c IS NOT NULL RETURN c ORDER BY c LIMIT 1 } AS created
  SET keep.waves = waves, keep.createdAt = coalesce(head(created), keep.createdAt)
  FOREACH (d IN dups | DELETE d)
} IN TRANSACTIONS OF 1000 ROWS;
//
// A person's wellbeing, household type and age band, recorded before waves held them,
// become an Observation of the latest wave in which they named someone or something (a
// survey tie of theirs records it); failing that, of the latest wave; with no wave at
// all, none is made. The person keeps the values as their latest (Person.wellbeing...).
// The old score is the short scale (7 to 35): it is swemwbsRaw.
MATCH (p:Person) WHERE p.wellbeing IS NOT NULL OR p.householdType IS NOT NULL OR p.ageBand IS NOT NULL
CALL (p) {
  WITH p, head(COLLECT {
    MATCH (p)-[r:KNOWS|TRUSTS|GETS_INFO_FROM|ENCOURAGES|MEMBER_OF|USES]->()
    UNWIND r.waves AS wid MATCH (w:Wave {id: wid})
    RETURN w ORDER BY w.collectedOn DESC, w.id DESC LIMIT 1 }) AS named
  WITH p, coalesce(named, head(COLLECT { MATCH (w:Wave) RETURN w ORDER BY w.collectedOn DESC, w.id DESC LIMIT 1 })) AS w
  WITH p, w WHERE w IS NOT NULL
  MERGE (o:Observation {personId: p.id, waveId: w.id})
  ON CREATE SET o.id = 'obs_' + replace(p.id, 'per_', '') + '_' + replace(w.id, 'wave_', ''),
    o.recordedAt = coalesce(p.updatedAt, datetime()), o.method = 'MIGRATED',
    o.swemwbsRaw = p.wellbeing, o.household = p.householdType, o.ageBand = p.ageBand,
    o.createdAt = datetime(), o.updatedAt = datetime()
  MERGE (p)-[:OBSERVED]->(o)
  MERGE (o)-[:IN_WAVE]->(w)
} IN TRANSACTIONS OF 1000 ROWS;
