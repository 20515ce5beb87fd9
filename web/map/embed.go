// Package mapweb holds Kith's community map page (web/map/dist, built from web/map/src by
// make web), embedded in the binary so that serving it needs no Node.
package mapweb

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// FS returns the page's files: index.html, map.js and map.css.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embedded tree always has dist
	}
	return sub
}
