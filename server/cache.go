package server

import (
	"context"

	lru "github.com/hashicorp/golang-lru/v2"
)

// cache is the LRU behind the query and persisted-query caches (the one gqlgen's lru
// package wraps), with Purge: query text can quote a person's name, so erasing a person
// empties both.
type cache[T any] struct{ lru *lru.Cache[string, T] }

func newCache[T any](size int) *cache[T] {
	c, err := lru.New[string, T](size)
	if err != nil {
		panic("cache size must be positive: " + err.Error())
	}
	return &cache[T]{lru: c}
}

// Get returns the cached value of key.
func (c *cache[T]) Get(_ context.Context, key string) (T, bool) { return c.lru.Get(key) }

// Add caches a value.
func (c *cache[T]) Add(_ context.Context, key string, value T) { c.lru.Add(key, value) }

// Purge empties the cache.
func (c *cache[T]) Purge() { c.lru.Purge() }
