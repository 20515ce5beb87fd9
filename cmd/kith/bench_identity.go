package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"kith/identity"
	"kith/identity/linkbench"
)

// benchIdentityCmd runs the identity benchmark (identity/linkbench) and prints its table.
func benchIdentityCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench-identity", flag.ExitOnError)
	sizes := fs.String("respondents", "3000,30000", "survey sizes, comma-separated (respondents)")
	seed := fs.Uint64("seed", 1, "generator seed")
	python := fs.String("python", "", "Python with Splink (dev/python/requirements-bench.txt); empty: Kith only")
	splinkMax := fs.Int("splink-max", 3000, "largest survey Splink is run on")
	_ = fs.Parse(args)
	cfg, err := identity.ConfigFromEnv()
	if err != nil {
		return err
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 100000 {
			return fmt.Errorf("--respondents: %q is not a size between 1 and 100000", s)
		}
		ns = append(ns, n)
	}
	dir, err := os.MkdirTemp("", "kith-bench-identity")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out, err := linkbench.Run(ctx, linkbench.Options{Sizes: ns, Seed: *seed, Config: cfg, Python: *python, SplinkMax: *splinkMax, Dir: dir})
	fmt.Print(out)
	return err
}
