package server

import (
	"net/http"

	mapweb "kith/web/map"
)

// mapCSP is the map page's Content-Security-Policy: its own script and style sheet only,
// data from this server only (GraphQL and the development sign-in), the ForceAtlas2 layout's
// worker from a blob the script makes, images from the page itself (export), and no framing.
const mapCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// mapRoutes serves the community map at /map: the page and its bundle, embedded in the
// binary (web/map). The page holds no data; it reads everything through /graphql with the
// bearer token its user signs in with, so the server decides what each role sees.
func (s *Server) mapRoutes(mux *http.ServeMux) {
	files := http.FileServerFS(mapweb.FS())
	mux.HandleFunc("GET /map", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/map/", http.StatusMovedPermanently)
	})
	mux.Handle("GET /map/", http.StripPrefix("/map", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", mapCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})))
}
