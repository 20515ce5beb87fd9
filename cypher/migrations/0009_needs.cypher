// 0009: give and receive. Needs have ids and externalIds like every node; NEEDS ties index
// their ids like every tie kind; gifts and needs are matched on their topic.
CREATE CONSTRAINT need_id IF NOT EXISTS FOR (n:Need) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT need_external_id IF NOT EXISTS FOR (n:Need) REQUIRE n.externalId IS UNIQUE;
CREATE INDEX tie_needs_id IF NOT EXISTS FOR ()-[r:NEEDS]-() ON (r.id);
CREATE INDEX need_topic IF NOT EXISTS FOR (n:Need) ON (n.topic);
CREATE INDEX gift_topic IF NOT EXISTS FOR (n:Gift) ON (n.topic);
