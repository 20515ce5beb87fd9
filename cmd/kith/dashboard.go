package main

import (
	"flag"

	"kith/server"
)

// dashboardFlags are serve's settings for browser apps on other origins (dashboards).
type dashboardFlags struct {
	corsOrigins string
}

func (f *dashboardFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.corsOrigins, "cors-origins", env("KITH_CORS_ORIGINS", ""),
		"comma-separated browser origins allowed to call the API (e.g. http://localhost:5173); none: no CORS")
}

// apply puts the flags into the server's configuration.
func (f *dashboardFlags) apply(cfg *server.Config) error {
	origins, err := server.ParseCORSOrigins(f.corsOrigins)
	cfg.CORSOrigins = origins
	return err
}
