package paging

// Connection is a Relay connection of nodes N: the GraphQL XConnection types of the lists
// are instances of it (graph/model/connections.go), built by Connect.
type Connection[N any] struct {
	Edges    []*Edge[N]
	Nodes    []N
	PageInfo *PageInfo
	// TotalCount is the number of all rows (-1 when it was not asked for).
	TotalCount int
}

// Edge is a node of a connection with its cursor.
type Edge[N any] struct {
	Cursor string
	Node   N
}

// Connect builds the connection of a page's nodes.
func Connect[N any](p *Page, nodes []N) *Connection[N] {
	return &Connection[N]{Nodes: nodes, PageInfo: p.PageInfo, TotalCount: p.Total,
		Edges: Edges(p, nodes, func(cursor string, n N) *Edge[N] { return &Edge[N]{Cursor: cursor, Node: n} })}
}
