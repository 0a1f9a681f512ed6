package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/internal/walker"
)

// readSteps are the steps of the read area (features/skylark/read.feature) beyond the
// common ones.
func readSteps(w *World) []stepDef {
	return []stepDef{
		{`^I walk the whole list$`, w.iWalkTheWholeList},
		{`^no access in the list has a "([^"]+)" field at any depth$`, w.noAccessInTheListHasField},
		{`^every access in the list has a status from the catalogue$`, w.everyListedStatusIsKnown},
		{`^the access has a status from the catalogue$`, w.theAccessHasAKnownStatus},
		{`^each sampled access reads the same alone as in the list$`, w.sampledAccessesReadTheSame},
	}
}

// accessStatuses are the catalogue's access statuses (SAM-RD-05).
func accessStatuses() []string {
	return []string{"PENDING_ACTIVE", "ACTIVE", "SUSPENDED", "PENDING_TERMINATE", "TERMINATED"}
}

func knownStatus(s string) bool {
	for _, k := range accessStatuses() {
		if s == k {
			return true
		}
	}
	return false
}

// sampleSize bounds how many list items SAM-RD-06 reads back one by one.
const sampleSize = 12

// listSummary describes every item of a whole-list walk in bounded memory: where
// each object key first appeared, each status value with its first access, and a
// sample of items kept whole.
type listSummary struct {
	keys     map[string]string // key -> "access <id> at <path>"
	statuses map[string]string // status (raw JSON) -> id of the first access showing it
	sample   []sampledItem
	items    int
}

type sampledItem struct {
	id  string
	raw string
}

func (s *listSummary) add(item gjson.Result) error {
	s.items++
	id := item.Get("id").String()
	collectKeys(item, "", func(key, path string) {
		if _, seen := s.keys[key]; !seen {
			s.keys[key] = fmt.Sprintf("access %q at %s", id, path)
		}
	})
	st := item.Get("status").Raw
	if _, seen := s.statuses[st]; !seen {
		s.statuses[st] = strings.Clone(id)
	}
	// The first items, then every 50th, so a long list is sampled along its length.
	if len(s.sample) < sampleSize && (s.items <= sampleSize/2 || s.items%50 == 0) {
		s.sample = append(s.sample, sampledItem{id: strings.Clone(id), raw: strings.Clone(item.Raw)})
	}
	return nil
}

// collectKeys calls fn for every object key at any depth, with its path.
func collectKeys(v gjson.Result, path string, fn func(key, path string)) {
	if !v.IsObject() && !v.IsArray() {
		return
	}
	v.ForEach(func(k, child gjson.Result) bool {
		p := path + "/" + k.String()
		if v.IsObject() {
			fn(k.String(), p)
		}
		collectKeys(child, p, fn)
		return true
	})
}

// iWalkTheWholeList walks the list at the largest page size, summarising every item.
func (w *World) iWalkTheWholeList(ctx context.Context) error {
	sum := &listSummary{keys: map[string]string{}, statuses: map[string]string{}}
	if _, err := w.walkList(ctx, walker.Config{PageSize: w.largestPageSize(), OnItem: sum.add}); err != nil {
		return err
	}
	w.paging.summary = sum
	return nil
}

func (w *World) summary() (*listSummary, error) {
	if w.paging.summary == nil {
		return nil, &HarnessError{Err: fmt.Errorf("the scenario walked no list (add: When I walk the whole list)")}
	}
	return w.paging.summary, nil
}

func (w *World) noAccessInTheListHasField(field string) error {
	sum, err := w.summary()
	if err != nil {
		return err
	}
	var own error
	if where, found := sum.keys[field]; found {
		own = w.failf("the list shows %q: %s (first of %d items walked)", field, where, sum.items)
	}
	return w.settleOver(own, sum.items, "the whole list of tenant %q holds no access: no access to look for %q in", w.tenant.Name, field)
}

func (w *World) everyListedStatusIsKnown() error {
	sum, err := w.summary()
	if err != nil {
		return err
	}
	var bad []string
	for raw, id := range sum.statuses {
		var s string
		if json.Unmarshal([]byte(raw), &s) != nil || !knownStatus(s) {
			shown := raw
			if raw == "" {
				shown = "no status"
			}
			bad = append(bad, fmt.Sprintf("%s (e.g. access %q)", shown, id))
		}
	}
	sort.Strings(bad)
	var own error
	if len(bad) > 0 {
		own = w.failf("statuses outside %v in the list: %s", accessStatuses(), strings.Join(bad, ", "))
	}
	return w.settleOver(own, sum.items, "the whole list of tenant %q holds no access: no status to check", w.tenant.Name)
}

func (w *World) theAccessHasAKnownStatus() error {
	st := gjson.GetBytes(w.last.Body, "status")
	if st.Type != gjson.String || !knownStatus(st.String()) {
		return w.failf("the access's status is %s, not one of %v", orAbsent(st), accessStatuses())
	}
	return nil
}

// sampledAccessesReadTheSame reads each sampled list item on its own and compares
// the two as JSON values (SAM-RD-06, a SHOULD: a difference warns).
func (w *World) sampledAccessesReadTheSame(ctx context.Context) error {
	sum, err := w.summary()
	if err != nil {
		return err
	}
	if err := w.settle(nil); err != nil {
		return err
	}
	if len(sum.sample) == 0 {
		return skipf("tenant %q has no accesses to compare", w.tenant.Name)
	}
	for _, it := range sum.sample {
		resp, err := w.get(ctx, w.tenantPath(it.id), nil)
		if err != nil {
			return err
		}
		if resp.Status != http.StatusOK {
			w.finding("SAM-RD-06", verdict.Should, fmt.Sprintf("access %q is in the list, but reading it gives status %d", it.id, resp.Status), w.lastExchange())
			continue
		}
		var listed, alone any
		if json.Unmarshal([]byte(it.raw), &listed) != nil || json.Unmarshal(resp.Body, &alone) != nil {
			w.finding("SAM-RD-06", verdict.Should, fmt.Sprintf("access %q: the list item or the single read is not JSON", it.id), w.lastExchange())
			continue
		}
		if !reflect.DeepEqual(listed, alone) {
			w.finding("SAM-RD-06", verdict.Should, fmt.Sprintf("access %q differs between the list and the single read: %s", it.id, jsonDiff(listed, alone)), w.lastExchange())
		}
	}
	return nil
}

// jsonDiff names the top-level fields whose values differ (values omitted: either
// side may hold a secret the redaction does not know about).
func jsonDiff(a, b any) string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		return "one of them is not an object"
	}
	var diff []string
	for k, v := range am {
		if bv, ok := bm[k]; !ok || !reflect.DeepEqual(v, bv) {
			diff = append(diff, k)
		}
	}
	for k := range bm {
		if _, ok := am[k]; !ok {
			diff = append(diff, k)
		}
	}
	sort.Strings(diff)
	return "fields " + strings.Join(diff, ", ")
}
