package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"kith/server"
)

// registerLimits registers serve's flags (and environment variables) for the limits it
// applies to operations, requests, tokens, analysts' privacy and the Cypher endpoint.
func registerLimits(fs *flag.FlagSet, cfg *server.Config) {
	fs.IntVar(&cfg.MaxDepth, "max-depth", intEnv("KITH_MAX_DEPTH", cfg.MaxDepth), "deepest nesting of fields an operation may have")
	fs.IntVar(&cfg.MaxComplexity, "max-complexity", intEnv("KITH_MAX_COMPLEXITY", cfg.MaxComplexity), "largest cost an operation may have (list fields cost their items)")
	fs.IntVar(&cfg.Bounds.Tokens, "max-tokens", intEnv("KITH_MAX_TOKENS", cfg.Bounds.Tokens), "most lexical tokens an operation's document may hold")
	fs.IntVar(&cfg.Bounds.Fields, "max-fields", intEnv("KITH_MAX_FIELDS", cfg.Bounds.Fields), "most fields an operation may have once its fragments are expanded")
	fs.IntVar(&cfg.Bounds.Aliases, "max-aliases", intEnv("KITH_MAX_ALIASES", cfg.Bounds.Aliases), "most aliased fields an operation's document may hold")
	fs.IntVar(&cfg.Bounds.Directives, "max-directives", intEnv("KITH_MAX_DIRECTIVES", cfg.Bounds.Directives), "most directives an operation's document may hold")
	fs.IntVar(&cfg.MaxStatementsPerRequest, "max-statements-per-request", intEnv("KITH_MAX_STATEMENTS_PER_REQUEST", cfg.MaxStatementsPerRequest), "Neo4j statements one request may run at once")
	fs.IntVar(&cfg.MaxStatementsPerToken, "max-statements-per-token", intEnv("KITH_MAX_STATEMENTS_PER_TOKEN", cfg.MaxStatementsPerToken), "Neo4j statements one token may run at once over all its requests")
	fs.DurationVar(&cfg.StatePoll, "state-poll", durationEnv("KITH_STATE_POLL", cfg.StatePoll), "how often revocations and the purge generation are read from Neo4j")
	fs.Float64Var(&cfg.RateLimit, "rate-limit", floatEnv("KITH_RATE_LIMIT", cfg.RateLimit), "requests a second per token after the burst (0: no limit)")
	fs.IntVar(&cfg.RateBurst, "rate-burst", intEnv("KITH_RATE_BURST", cfg.RateBurst), "requests a token may make at once")
	proxies := func(v string) error {
		cfg.TrustedProxies = nil
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				a, aerr := netip.ParseAddr(f)
				if aerr != nil {
					return fmt.Errorf("%q is neither an address nor a prefix (CIDR)", f)
				}
				p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
			}
			cfg.TrustedProxies = append(cfg.TrustedProxies, p.Masked())
		}
		return nil
	}
	if v := os.Getenv("KITH_TRUSTED_PROXIES"); v != "" {
		if err := proxies(v); err != nil {
			fmt.Fprintln(os.Stderr, "KITH_TRUSTED_PROXIES:", err)
			os.Exit(2)
		}
	}
	fs.Func("trusted-proxies", "addresses or prefixes (CIDR) of the proxies in front of Kith, comma-separated: anonymous callers behind them are rate-limited by the address X-Forwarded-For gives", proxies)
	fs.IntVar(&cfg.MinGroup, "min-group", intEnv("KITH_MIN_GROUP", cfg.MinGroup), "smallest group whose wellbeing is shown as an aggregate (k)")
	fs.Float64Var(&cfg.Epsilon, "dp-epsilon", floatEnv("KITH_DP_EPSILON", cfg.Epsilon), "privacy loss (ε) of one of an analyst's wellbeing summaries")
	fs.Float64Var(&cfg.PrivacyBudget, "dp-budget", floatEnv("KITH_DP_BUDGET", cfg.PrivacyBudget), "ε one analyst may spend on wellbeing summaries in a period")
	if d, err := time.ParseDuration(os.Getenv("KITH_DP_PERIOD")); err == nil {
		cfg.PrivacyPeriod = d
	}
	fs.DurationVar(&cfg.PrivacyPeriod, "dp-period", cfg.PrivacyPeriod, "how long an analyst's privacy budget lasts (0: it never renews)")
	fs.DurationVar(&cfg.Cypher.Timeout, "cypher-timeout", durationEnv("KITH_CYPHER_TIMEOUT", cfg.Cypher.Timeout), "timeout of a query on the read-only Cypher endpoint")
	fs.IntVar(&cfg.Cypher.MaxRows, "cypher-max-rows", intEnv("KITH_CYPHER_MAX_ROWS", cfg.Cypher.MaxRows), "most rows the read-only Cypher endpoint returns")
	fs.IntVar(&cfg.Cypher.MaxBytes, "cypher-max-bytes", intEnv("KITH_CYPHER_MAX_BYTES", cfg.Cypher.MaxBytes), "most bytes of values one answer of the read-only Cypher endpoint holds, counted as records are decoded")
}
