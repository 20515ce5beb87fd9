// 0003: updatedAt on every label and tie kind, so the analysis cache's graph version
// (the latest change among what a projection reads) is an index lookup, not a scan.
CREATE INDEX person_updated_at IF NOT EXISTS FOR (n:Person) ON (n.updatedAt);
CREATE INDEX familiar_stranger_updated_at IF NOT EXISTS FOR (n:FamiliarStranger) ON (n.updatedAt);
CREATE INDEX place_updated_at IF NOT EXISTS FOR (n:Place) ON (n.updatedAt);
CREATE INDEX group_updated_at IF NOT EXISTS FOR (n:Group) ON (n.updatedAt);
CREATE INDEX organisation_updated_at IF NOT EXISTS FOR (n:Organisation) ON (n.updatedAt);
CREATE INDEX interest_updated_at IF NOT EXISTS FOR (n:Interest) ON (n.updatedAt);
CREATE INDEX gift_updated_at IF NOT EXISTS FOR (n:Gift) ON (n.updatedAt);
CREATE INDEX area_updated_at IF NOT EXISTS FOR (n:Area) ON (n.updatedAt);
CREATE INDEX wave_updated_at IF NOT EXISTS FOR (n:Wave) ON (n.updatedAt);
CREATE INDEX tie_knows_updated_at IF NOT EXISTS FOR ()-[r:KNOWS]-() ON (r.updatedAt);
CREATE INDEX tie_trusts_updated_at IF NOT EXISTS FOR ()-[r:TRUSTS]-() ON (r.updatedAt);
CREATE INDEX tie_gets_info_from_updated_at IF NOT EXISTS FOR ()-[r:GETS_INFO_FROM]-() ON (r.updatedAt);
CREATE INDEX tie_encourages_updated_at IF NOT EXISTS FOR ()-[r:ENCOURAGES]-() ON (r.updatedAt);
CREATE INDEX tie_member_of_updated_at IF NOT EXISTS FOR ()-[r:MEMBER_OF]-() ON (r.updatedAt);
CREATE INDEX tie_uses_updated_at IF NOT EXISTS FOR ()-[r:USES]-() ON (r.updatedAt);
CREATE INDEX tie_meets_at_updated_at IF NOT EXISTS FOR ()-[r:MEETS_AT]-() ON (r.updatedAt);
CREATE INDEX tie_sees_updated_at IF NOT EXISTS FOR ()-[r:SEES]-() ON (r.updatedAt);
CREATE INDEX tie_works_for_updated_at IF NOT EXISTS FOR ()-[r:WORKS_FOR]-() ON (r.updatedAt);
CREATE INDEX tie_interested_in_updated_at IF NOT EXISTS FOR ()-[r:INTERESTED_IN]-() ON (r.updatedAt);
CREATE INDEX tie_offers_updated_at IF NOT EXISTS FOR ()-[r:OFFERS]-() ON (r.updatedAt);
CREATE INDEX tie_lives_in_updated_at IF NOT EXISTS FOR ()-[r:LIVES_IN]-() ON (r.updatedAt);
CREATE INDEX tie_in_updated_at IF NOT EXISTS FOR ()-[r:IN]-() ON (r.updatedAt);
CREATE INDEX tie_possibly_same_as_updated_at IF NOT EXISTS FOR ()-[r:POSSIBLY_SAME_AS]-() ON (r.updatedAt);
