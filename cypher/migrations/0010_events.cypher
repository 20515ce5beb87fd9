// 0010: the social calendar. Events have ids and externalIds like every node; their ties
// index their ids like every tie kind, and their updatedAt for the analysis cache's graph
// version (0003); events(from:, to:) seeks events by start.
CREATE CONSTRAINT event_id IF NOT EXISTS FOR (n:Event) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT event_external_id IF NOT EXISTS FOR (n:Event) REQUIRE n.externalId IS UNIQUE;
CREATE INDEX event_start IF NOT EXISTS FOR (n:Event) ON (n.start);
CREATE INDEX event_title IF NOT EXISTS FOR (n:Event) ON (n.title);
CREATE INDEX event_updated_at IF NOT EXISTS FOR (n:Event) ON (n.updatedAt);
CREATE INDEX tie_runs_id IF NOT EXISTS FOR ()-[r:RUNS]-() ON (r.id);
CREATE INDEX tie_held_at_id IF NOT EXISTS FOR ()-[r:HELD_AT]-() ON (r.id);
CREATE INDEX tie_attended_id IF NOT EXISTS FOR ()-[r:ATTENDED]-() ON (r.id);
CREATE INDEX tie_runs_updated_at IF NOT EXISTS FOR ()-[r:RUNS]-() ON (r.updatedAt);
CREATE INDEX tie_held_at_updated_at IF NOT EXISTS FOR ()-[r:HELD_AT]-() ON (r.updatedAt);
CREATE INDEX tie_attended_updated_at IF NOT EXISTS FOR ()-[r:ATTENDED]-() ON (r.updatedAt);
// Feed tokens (feeds.go): a feed URL's capability token is found by its hash, never stored.
CREATE CONSTRAINT feed_token_id IF NOT EXISTS FOR (n:FeedToken) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT feed_token_hash IF NOT EXISTS FOR (n:FeedToken) REQUIRE n.hash IS UNIQUE;
