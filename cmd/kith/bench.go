package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"kith/internal/bench"
)

// benchCmd is `kith bench`: Kith against the raw driver and @neo4j/graphql (see package
// bench). The Kith it measures is this binary, started as `kith serve`.
func benchCmd(ctx context.Context, log *slog.Logger, args []string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: find the kith binary: %w", err)
	}
	return bench.Main(ctx, args, exe, os.Stdout, log)
}
