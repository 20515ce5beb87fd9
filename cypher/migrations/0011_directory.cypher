// 0011: the public directory (GET /openreferral). Groups, places and organisations are
// listed only when marked public: every one recorded before is marked not public, and the
// directory's reads find public entries by index. RUN_BY ties index their ids like every
// tie kind.
MATCH (n:Group) WHERE n.public IS NULL SET n.public = false;
MATCH (n:Place) WHERE n.public IS NULL SET n.public = false;
MATCH (n:Organisation) WHERE n.public IS NULL SET n.public = false;
CREATE INDEX group_public IF NOT EXISTS FOR (n:Group) ON (n.public);
CREATE INDEX place_public IF NOT EXISTS FOR (n:Place) ON (n.public);
CREATE INDEX organisation_public IF NOT EXISTS FOR (n:Organisation) ON (n.public);
CREATE INDEX tie_run_by_id IF NOT EXISTS FOR ()-[r:RUN_BY]-() ON (r.id);
