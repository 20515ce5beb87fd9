// Package graphiqlweb holds Kith's GraphiQL bundle (web/graphiql/dist, built from src/ by
// make web), embedded in the binary so the page works with no network.
package graphiqlweb

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// Dist returns the bundle: app.js and app.css.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	return sub
}
