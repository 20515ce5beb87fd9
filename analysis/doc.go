// Package analysis computes social network measures on a projection of Kith's
// community graph. It is pure computation: the caller loads the nodes and the
// ties of the kinds it wants (KNOWS, TRUSTS, GETS_INFO_FROM, ENCOURAGES,
// MEMBER_OF…) into a [Graph] and asks for measures; nothing here talks to a
// database.
//
// # Definitions
//
// The measures follow networkx's default definitions (networkx 3.6), and the
// tests compare them with networkx on Zachary's karate club, Padgett's
// Florentine families and the Davis Southern Women projection. Where networkx
// returns NaN or raises (an isolate's constraint, one-node graphs), this
// package returns 0 and says so in the function's documentation: no result
// here is ever NaN or ±Inf, and no input makes a function panic.
//
// The vocabulary the rest of Kith speaks is defined here:
//
//   - isolate: a node with no ties of the kinds in the Graph. In a directed
//     Graph (survey data: a tie from respondent to the person they named) an
//     isolate is kept apart from a node that "named nobody" (out-degree 0) and
//     one "named by nobody" (in-degree 0); see [Graph.Isolates].
//   - connector (network hub): a node of high total degree; see
//     [Graph.Connectors].
//   - maven (knowledge broker): high in-degree on advice and information ties,
//     high betweenness and low constraint; see [Graph.Mavens].
//   - salesperson (persuader): wide reach and high eigenvector centrality along
//     ENCOURAGES ties; see [Graph.Salespeople].
//   - bonding and bridging ties: ties inside and across groups or detected
//     communities, summarised by the Krackhardt–Stern E-I index; see
//     [Graph.EIIndex] and [Communities].
//   - broker: a node on two-paths between others, counted by Gould–Fernandez
//     role ([Graph.Brokerage]), and measured by Burt's constraint and effective
//     size ([Graph.Constraint], [Graph.EffectiveSize]).
//
// Key people (connectors, mavens, salespeople) are candidates for a human to
// judge, returned with the scores that put them there, never verdicts.
//
// # Determinism and concurrency
//
// Every result is a function of the Graph's content and the options alone:
// randomised methods (sampled betweenness, closeness and harmonic centrality,
// Louvain) take a seed and draw from the node ids in lexicographic order, so
// the order in which nodes and ties were added does not change the outcome
// (beyond floating-point rounding in the last digits). Path measures run on
// GOMAXPROCS goroutines and add their partial results in a fixed order, so
// they give the same bits whatever the number of goroutines.
//
// A Graph may be read by any number of goroutines at once (every measure is a
// read), but AddNode and AddTie must not run concurrently with anything else
// on the same Graph.
//
// # Remembered results
//
// A Graph remembers its last few shortest-path sweeps, the costly part of
// betweenness, closeness and harmonic centrality, until its next change: Mavens
// reuses Betweenness with the same sample, and Closeness and Harmonic with the
// same options share one search. A remembered result is the one computing
// afresh gives, bit for bit.
//
// # Louvain
//
// Louvain is gonum's community.Modularize rewritten on flat arrays (see
// [Graph.Louvain]); gonum remains the reference it is tested against, and its
// community.Q checks the reported modularity.
package analysis
