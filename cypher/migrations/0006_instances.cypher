// 0005: what several Kith instances share through the database: token revocations, one
// per subject, and the state node whose purge generation erasures advance. Each request
// looks both up by these keys (cypher/instances.go).
CREATE CONSTRAINT revocation_subject IF NOT EXISTS FOR (n:KithRevocation) REQUIRE n.subject IS UNIQUE;
CREATE CONSTRAINT kith_state_id IF NOT EXISTS FOR (n:KithState) REQUIRE n.id IS UNIQUE;
