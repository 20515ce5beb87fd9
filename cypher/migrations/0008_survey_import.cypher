// 0008: survey import. Each respondent and alter a survey import recorded keeps its source
// key (a Network Canvas UUID or a roster row id) on a (:SourceKey) node tied to the node it
// became, so that re-importing the same file finds them instead of creating them again.
CREATE CONSTRAINT source_key IF NOT EXISTS FOR (n:SourceKey) REQUIRE n.key IS UNIQUE;
