// Package bounded holds a memo table whose memory has a ceiling: a map that forgets
// everything when it reaches its bound, for caches whose misses cost only time.
package bounded

import "sync"

// Map is a map of at most Limit entries, safe for concurrent use. Putting a new key
// into a full map empties it first: a long run whose keys are all different (the
// pages of a walk) keeps its memory flat, and one that repeats keys refills quickly.
type Map[K comparable, V any] struct {
	mu    sync.Mutex
	limit int
	m     map[K]V
}

// New returns an empty map of at most limit entries (at least one).
func New[K comparable, V any](limit int) *Map[K, V] {
	return &Map[K, V]{limit: max(limit, 1), m: map[K]V{}}
}

// Get returns the value of k and whether it was there.
func (b *Map[K, V]) Get(k K) (V, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[k]
	return v, ok
}

// Put sets k to v, emptying the map first when it is full and k is new.
func (b *Map[K, V]) Put(k K, v V) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.m[k]; !ok && len(b.m) >= b.limit {
		clear(b.m)
	}
	b.m[k] = v
}

// Len is the number of entries.
func (b *Map[K, V]) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}
