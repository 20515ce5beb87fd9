// Package seed generates community graphs for Kith: the demo neighbourhood and
// synthetic communities of any size. It is pure Go and touches no database; an importer
// writes a Graph's nodes and ties. Generation is deterministic: Demo always returns the
// same graph, and Synthetic the same graph for the same size and seed.
//
// Node ids are nodeid.FromKey(label, externalId), with externalIds such as
// "demo-person-0001", "demo-group-knit-and-natter" and "syn-person-000123". Every tie
// carries its provenance: source, recordedAt and, for answers to a survey (KNOWS,
// TRUSTS, GETS_INFO_FROM, ENCOURAGES, MEMBER_OF, USES and a person's INTERESTED_IN),
// wave, the Wave node's id. Ties that workers recorded outside the waves (LIVES_IN, IN,
// MEETS_AT, WORKS_FOR, SEES, OFFERS, POSSIBLY_SAME_AS, a group's INTERESTED_IN) have no
// wave. A tie recorded in two waves appears twice, once with each. KNOWS is stored
// once per pair, from the person whose node comes first. Ties with equal properties
// share one Props map.
//
// # Terms
//
// A social tie is one of KNOWS, TRUSTS, GETS_INFO_FROM, ENCOURAGES and MEMBER_OF, in
// either direction and any wave. An isolate is a Person with no social tie; the nearly
// isolated have social ties with exactly one other node. Isolates still LIVE_IN an area,
// may USE a place, and are SEEN by a familiar stranger, the postman where there is one:
// often their only contact. A Person has a trusted route to authority when the
// component of the graph of KNOWS and TRUSTS ties (taken as undirected) that holds them
// also holds a Person or Organisation with isAuthority true.
//
// # The demo neighbourhood
//
// Demo is Thornley Moor, a fictional former mining village of 300 surveyed residents in
// four sub-areas (Colliery Row 80, Chapel Hill 70, Station Estate 90, Moor Top 60), each
// IN the village. It was surveyed door to door twice: Wave 1 collected 2024-03-15 and
// Wave 2 2025-03-15. Its places are the community hub, the Legion, the library, Miners'
// Welfare Park, the Colliery Inn, St Aidan's Church Hall, the Bluebell Café, the school
// gates, the cricket ground, the allotments, Station Road Stores and the online group
// "Thornley Moor Community Chat". Its groups are Knit and Natter, the Legion Darts
// Team, the cricket club, the gardening club, a walking group, a coffee club, a
// dementia café and a mental health peer group (both sensitive), Computer Buddies, a
// closed quiz team and Thornley Moor Mams, a mothers' group that formed between the
// waves. Familiar strangers: Dave the postman, the shopkeeper, the street sweeper, the
// lollipop lady, the quizmaster and a pharmacist. Organisations: the district council,
// the councillors' office, the GP surgery, the housing association and the police
// (authority), a church, the shop, a food bank and a community trust. Eight residents
// are authorities who work for them (three councillors, a ward clerk, a GP, two housing
// officers and a PCSO), and four more work for the surgery, church, food bank and trust.
//
// Demo has 437 nodes: 306 Person (300 residents and 6 survey alters, names given
// without a surname that may be a resident: POSSIBLY_SAME_AS), 70 Gift, 16 Interest, 12
// Place, 11 Group, 9 Organisation, 6 FamiliarStranger, 5 Area and 2 Wave. It has 7,283
// ties, by kind (wave 1 + wave 2 where there are waves): KNOWS 2,287 (1,152 + 1,135),
// TRUSTS 1,111 (579 + 532), GETS_INFO_FROM 935 (479 + 456), USES 859 (438 + 421),
// INTERESTED_IN 737 (375 + 352, and 10 of groups), MEMBER_OF 539 (263 + 276),
// LIVES_IN 300, ENCOURAGES 220 (107 + 113), SEES 145, OFFERS 70, IN 42, POSSIBLY_SAME_AS
// 12, WORKS_FOR 12, MEETS_AT 11 and RUN_BY 3. Wave 2 repeats about 92% of wave 1's survey ties
// and adds new ones, above all the Mams' 15 members, who get to know and encourage one
// another: 224 survey ties are only in wave 1 and 116 only in wave 2. The public
// directory (GET /openreferral) lists 7 of its groups, 7 places and 4 organisations.
//
// Its structure:
//   - 6 isolates (2.0% of people) and 16 people with ties to only one other node (9
//     residents chosen to be nearly isolated, the 6 alters and one more);
//   - 22 people (7.2%) without a trusted route to authority: the isolates, some of the
//     nearly isolated and 11 residents in closed circles of neighbouring households
//     who know and trust only one another;
//   - connectors: six people (three councillors among them) with 28 to 36 KNOWS ties
//     in wave 1, against a mean of 7.5; mavens: four people from whom 26 to 29 others
//     get information; salespeople: three who encourage 12 to 20 others;
//   - clustered information pathways: 72% of KNOWS ties join people of one sub-area
//     (a small world along each street, households, shared groups with triadic
//     closure, a few bridges); about 30% of residents find out what is going on only
//     from friends, the rest also from mavens, places, groups and organisations;
//   - single parents (30 residents) are the most isolated: 8.9 social ties on average
//     in wave 1 against 16.3 for families, and a mean wellbeing of 19.8 against 24.2
//     (wellbeing is a short WEMWBS score, 7 to 35, that rises with social ties).
//
// # Synthetic communities
//
// Synthetic builds the same structure at any size in one wave: exactly the requested
// number of Person nodes (0.1% of them survey alters), in areas of about 2,000
// residents (in wards of ten areas when there are more than twelve), one group per 40
// residents, one place per 60, one familiar stranger per 150 and one organisation per
// 500, some of them authorities. Residents reach only what is in their own area;
// a few KNOWS ties and memberships cross to other areas. Synthetic(10000, 1) has 10,000
// people, 2.0% isolates, 5.6% without a trusted route to authority, a mean KNOWS degree
// of 7.3 (88% within an area), 2.0 TRUSTS, 1.5 GETS_INFO_FROM and 0.94 memberships per
// person, and 129,000 ties in all. Synthetic(1000000, seed) takes about 8 seconds and
// 1.8 GB on a 2-core machine; see BenchmarkSynthetic100k.
//
// All names are fictional, drawn from lists of first names and surnames of mixed
// British backgrounds with well-known combinations excluded; phone numbers are in the
// 07700 900xxx range reserved for drama.
//
// Surveyed residents record consent per purpose as the survey form asked it: about 90%
// to analysis, 50% to suggestions, 70% to wellbeing, and 80% of those who gave a contact
// to being contacted. Consent is decided by a hash of the externalId, not the random
// stream, so it leaves the rest of the community as it was. Named alters gave no consent.
package seed
