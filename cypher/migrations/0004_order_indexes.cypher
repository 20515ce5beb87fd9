// 0004: the other properties people lists are sorted and filtered by: wellbeing (the
// practice's question "who is lowest in wellbeing", a range filter and an order) and the
// pseudonym (an analyst's lists are sorted by it). A list sorted ascending by an indexed
// property is read in the index's order (cypher/read.go, orderedWalk).
CREATE INDEX person_wellbeing IF NOT EXISTS FOR (n:Person) ON (n.wellbeing);
CREATE INDEX person_pseudonym IF NOT EXISTS FOR (n:Person) ON (n.pseudonym);
