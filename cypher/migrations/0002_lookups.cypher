// 0002: lookups and ordering: the properties lists are sorted and filtered by, and the
// full-text index behind search (standard-folding: case and accents ignored).
CREATE INDEX person_display_name IF NOT EXISTS FOR (n:Person) ON (n.displayName);
CREATE INDEX person_is_authority IF NOT EXISTS FOR (n:Person) ON (n.isAuthority);
CREATE INDEX person_household_type IF NOT EXISTS FOR (n:Person) ON (n.householdType);
CREATE INDEX place_name IF NOT EXISTS FOR (n:Place) ON (n.name);
CREATE INDEX group_name IF NOT EXISTS FOR (n:Group) ON (n.name);
CREATE INDEX group_activity IF NOT EXISTS FOR (n:Group) ON (n.activity);
CREATE INDEX organisation_name IF NOT EXISTS FOR (n:Organisation) ON (n.name);
CREATE INDEX organisation_is_authority IF NOT EXISTS FOR (n:Organisation) ON (n.isAuthority);
CREATE INDEX familiar_stranger_role IF NOT EXISTS FOR (n:FamiliarStranger) ON (n.role);
CREATE INDEX interest_name IF NOT EXISTS FOR (n:Interest) ON (n.name);
CREATE INDEX area_name IF NOT EXISTS FOR (n:Area) ON (n.name);
CREATE INDEX wave_collected_on IF NOT EXISTS FOR (n:Wave) ON (n.collectedOn);
CREATE FULLTEXT INDEX kith_names IF NOT EXISTS FOR (n:Person|FamiliarStranger|Place|Group|Organisation|Interest|Gift|Area|Wave) ON EACH [n.displayName, n.pseudonym, n.name, n.role, n.description] OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}};
