package reference

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accessctk/accessctk/fuzz/filter"
)

func TestSameSeedSameData(t *testing.T) {
	a, b := newServer(t, nil), newServer(t, nil)
	c := newServer(t, func(o *Options) { o.Seed = 43 })
	for _, tenant := range []int64{primaryID, secondaryID} {
		ra, rb := allRecords(t, a, tenant), allRecords(t, b, tenant)
		if !slices.Equal(ra, rb) {
			t.Fatalf("tenant %d: same seed, different data", tenant)
		}
		if slices.Equal(ra, allRecords(t, c, tenant)) {
			t.Fatalf("tenant %d: seeds 42 and 43 gave the same data", tenant)
		}
	}
	// Through the API as well: the same first page, byte for byte.
	pa, pb := get(t, a, "/eos/access?pageSize=100").Body.String(), get(t, b, "/eos/access?pageSize=100").Body.String()
	if pa != pb {
		t.Fatal("same seed, different list pages")
	}
	if !slices.Equal(a.Fixtures("http://x").Accesses.PPU, b.Fixtures("http://x").Accesses.PPU) {
		t.Fatal("same seed, different fixtures")
	}
}

// TestSeedIsAdversarial checks the promises the filter tests rely on.
func TestSeedIsAdversarial(t *testing.T) {
	s := newServer(t, func(o *Options) { o.PPUPool = 0 })
	eos, acme := allRecords(t, s, primaryID), allRecords(t, s, secondaryID)
	if len(eos) < primaryOrdinary+nonPPUFixtures+terminatedFixture || len(acme) < 20 {
		t.Fatalf("data set too small: eos %d, acme %d", len(eos), len(acme))
	}
	idRE := regexp.MustCompile(`^(eos|acme)_\d{10}$`)
	ids := map[string]bool{}
	statuses := map[string]int{}
	values := map[string]map[string]int{"contractId": {}, "productOfferingId": {}, "createdBy": {}}
	createdAt := map[string]int{}
	open := 0
	for _, r := range append(eos, acme...) {
		if !idRE.MatchString(r.id) || ids[r.id] {
			t.Fatalf("id %q is malformed or repeated", r.id)
		}
		ids[r.id] = true
		statuses[r.status]++
		if r.status == "PENDING_ACTIVE" && r.billing != billingPrepaid {
			t.Errorf("%s: PENDING_ACTIVE on a PPU access", r.id)
		}
		if r.billing != billingOf(r.productOfferingID) {
			t.Errorf("%s: billing %s does not follow offering %q", r.id, r.billing, r.productOfferingID)
		}
		for _, f := range filter.Fields {
			v, present := r.field(f.Name)
			if strings.ContainsAny(v, "&;") {
				t.Errorf("%s: %s %q holds a character the grammar cannot express", r.id, f.Name, v)
			}
			if present && f.Kind == filter.Instant {
				if _, err := filter.ParseInstant(v); err != nil {
					t.Errorf("%s: %s: %v", r.id, f.Name, err)
				}
			}
		}
		if r.tenant == primaryID && r.role == roleNone {
			for f, m := range values {
				v, _ := r.field(f)
				m[v]++
			}
			createdAt[r.createdAt]++
		}
		if r.endDateTime == "" {
			open++
		}
	}
	for _, st := range []string{"PENDING_ACTIVE", "ACTIVE", "SUSPENDED", "PENDING_TERMINATE", "TERMINATED"} {
		if statuses[st] == 0 {
			t.Errorf("no access is %s", st)
		}
	}
	for f, m := range values {
		for v, n := range m {
			if n < 2 || n > 10 {
				t.Errorf("%s %q is shared by %d ordinary accesses, want 2..10", f, v, n)
			}
		}
	}
	dup := false
	for _, n := range createdAt {
		dup = dup || n > 1
	}
	if !dup || open == 0 {
		t.Errorf("want duplicate createdAt values (%v) and open-ended accesses (%d)", dup, open)
	}
	present := func(field, v string) bool {
		for _, r := range eos {
			if got, _ := r.field(field); got == v {
				return true
			}
		}
		return false
	}
	for _, v := range []string{"Alpha", "alpha", "ALPHA", "O'Brien", `say "hi"`, "100%", "a_c", "a*c", `back\slash`,
		"with space", "' OR '1'='1", ".*", "^$", "[a]", "café", "cafe\u0301", "東京", "🙂", "C100", "C1000"} {
		if !present("name", v) && !present("username", v) && !present("contractId", v) {
			t.Errorf("no access has the value %q", v)
		}
	}
	// The same instant written in different offsets, among the stored values.
	instants := map[time.Time][]string{}
	for _, r := range eos {
		for _, v := range []string{r.createdAt, r.startDateTime, r.endDateTime} {
			if tm, err := filter.ParseInstant(v); err == nil && !slices.Contains(instants[tm.UTC()], v) {
				instants[tm.UTC()] = append(instants[tm.UTC()], v)
			}
		}
	}
	if got := instants[time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)]; len(got) < 3 {
		t.Errorf("2024-05-01T12:00:00Z is written only as %v", got)
	}
}

func TestFixtures(t *testing.T) {
	s := newServer(t, nil)
	f := s.Fixtures("http://127.0.0.1:1234")
	if f.BaseURL != "http://127.0.0.1:1234" || f.Tenants.Primary.Name != "eos" || f.Tenants.Secondary.Name != "acme" {
		t.Fatalf("fixtures header: %+v", f)
	}
	// The server seeds more than it names: a vendor is told to prepare this set.
	if len(f.Accesses.PPU) != FixtureSet.PPU || len(f.Accesses.NonPPU) != FixtureSet.NonPPU ||
		len(f.Accesses.Terminated) != FixtureSet.Terminated || len(f.Accesses.Secondary) != FixtureSet.Secondary {
		t.Fatalf("fixture counts: %+v", f.Accesses)
	}
	// With token sources filled in, the fixtures pass the config package's checks.
	f.Tenants.Primary.TokenEnv = "A"
	f.Tenants.Secondary.TokenEnv = "B"
	if err := f.Check(); err != nil {
		t.Fatal(err)
	}
	byID := map[string]record{}
	for _, tenant := range []int64{primaryID, secondaryID} {
		for _, r := range allRecords(t, s, tenant) {
			byID[r.id] = r
		}
	}
	check := func(ids []string, tenant int64, status, billing string) {
		t.Helper()
		for _, id := range ids {
			r := byID[id]
			if r.tenant != tenant || r.status != status || (billing != "" && r.billing != billing) {
				t.Errorf("fixture %s: tenant %d status %s billing %s", id, r.tenant, r.status, r.billing)
			}
		}
	}
	check(f.Accesses.PPU, primaryID, "ACTIVE", billingPPU)
	check(f.Accesses.NonPPU, primaryID, "ACTIVE", billingPrepaid)
	check(f.Accesses.Terminated, primaryID, "TERMINATED", "")
	check(f.Accesses.Secondary, secondaryID, "ACTIVE", "")
	// Each call is a copy.
	f.Accesses.PPU[0] = "changed"
	if s.Fixtures("").Accesses.PPU[0] == "changed" {
		t.Fatal("Fixtures shares its slices")
	}
}

func TestOptionsRejected(t *testing.T) {
	for name, o := range map[string]Options{
		"no tokens":       {},
		"one token":       {Tokens: map[string]string{"eos": "a"}},
		"same tokens":     {Tokens: map[string]string{"eos": "a", "acme": "a"}},
		"unknown tenant":  {Tokens: map[string]string{"eos": "a", "acme": "b", "zeta": "c"}},
		"unknown fault":   {Tokens: map[string]string{"eos": "a", "acme": "b"}, Faults: []string{"no-such-fault"}},
		"default > max":   {Tokens: map[string]string{"eos": "a", "acme": "b"}, DefaultPageSize: 50, MaxPageSize: 10},
		"negative bulk":   {Tokens: map[string]string{"eos": "a", "acme": "b"}, BulkAccesses: -1},
		"negative paging": {Tokens: map[string]string{"eos": "a", "acme": "b"}, MaxPageSize: -1},
	} {
		if s, err := New(t.Context(), o); err == nil {
			s.Close()
			t.Errorf("%s: New accepted %+v", name, o)
		}
	}
}

// TestFileDatabase: a file database is reused with its state for the same data set
// and refused for another.
func TestFileDatabase(t *testing.T) {
	path := t.TempDir() + "/ref.db"
	s := newServer(t, func(o *Options) { o.DBPath = path })
	id := s.Fixtures("").Accesses.PPU[0]
	wantStatus(t, patch(t, s, id, `{"status":"SUSPENDED"}`), 200)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again := newServer(t, func(o *Options) { o.DBPath = path })
	if got := decode[resource](t, get(t, again, "/eos/access/"+id)).Status; got != "SUSPENDED" {
		t.Fatalf("state not kept: %s", got)
	}
	if slices.Contains(again.Fixtures("").Accesses.PPU, id) {
		t.Fatal("a spent PPU fixture is offered again")
	}
	again.Close()
	if _, err := New(t.Context(), Options{DBPath: path, Seed: 7, Tokens: map[string]string{"eos": "a", "acme": "b"}}); err == nil {
		t.Fatal("a database of another data set was accepted")
	}
}
