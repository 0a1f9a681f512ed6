package bounded

import (
	"sync"
	"testing"
)

func TestMapForgetsAllWhenFull(t *testing.T) {
	m := New[int, string](3)
	for i := range 3 {
		m.Put(i, "v")
	}
	m.Put(1, "again") // an existing key never empties the map
	if m.Len() != 3 {
		t.Fatalf("Len %d after overwriting a key, want 3", m.Len())
	}
	if v, ok := m.Get(1); !ok || v != "again" {
		t.Fatalf("Get(1) = %q, %v", v, ok)
	}
	m.Put(3, "new")
	if m.Len() != 1 {
		t.Fatalf("Len %d after a fourth key, want 1 (emptied, then the new one)", m.Len())
	}
	if _, ok := m.Get(0); ok {
		t.Error("an entry survived the emptying")
	}
	if v, ok := m.Get(3); !ok || v != "new" {
		t.Errorf("Get(3) = %q, %v", v, ok)
	}
}

func TestMapIsSafeForConcurrentUse(t *testing.T) {
	m := New[int, int](64)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				m.Put(g*1000+i, i)
				if v, ok := m.Get(g*1000 + i); ok && v != i {
					t.Errorf("Get(%d) = %d", g*1000+i, v)
				}
			}
		}()
	}
	wg.Wait()
	if n := m.Len(); n > 64 {
		t.Errorf("Len %d over the bound", n)
	}
}
