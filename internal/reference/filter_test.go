package reference

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// oracleIDs applies the shared oracle to every access of the tenant.
func oracleIDs(t *testing.T, recs []record, e filter.Expr) []string {
	t.Helper()
	ids := []string{}
	for _, r := range recs {
		ok, err := e.Match(r.field)
		if err != nil {
			t.Fatalf("oracle on %q: %v", e, err)
		}
		if ok {
			ids = append(ids, r.id)
		}
	}
	return ids
}

// filterExprs is the table the compiler is held to: every field with every operator
// on values from the data and values chosen to trip string or pattern semantics,
// conjunctions, disjunctions, precedence and unknown fields.
func filterExprs(recs []record) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	probes := append(specialTexts(), "alph", "ALPHA ", "%%", "_%", "a_", "' OR '1'='1' --", "C1", "C10000",
		"cafe", "Cafe\u0301", "PRP_SKYRTK_EU_%", "PRP_SKYRTK_EU_12", "PPU_SKYRTK_EU_12", "job-100", "")
	for _, f := range filter.Fields {
		if f.Kind != filter.Text {
			continue
		}
		generated := 0 // names like "Access 0042" are alike: a few suffice
		for _, r := range recs {
			v, _ := r.field(f.Name)
			if regexp.MustCompile(`^(Access|user\.|PPU pool|ppu\.)`).MatchString(v) {
				if generated++; generated > 3 {
					continue
				}
			}
			add(f.Name + "=" + v)
		}
		if f.Name == "name" || f.Name == "username" || f.Name == "contractId" {
			for _, v := range probes {
				add(f.Name + "=" + v)
			}
		}
	}
	instants := append(specialInstants(), "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
		"2024-05-01T12:00:00.000000001Z", "2024-05-01T13:00:00+01:00", "2024-05-01T11:00:00-01:00",
		"2025-01-01T00:00:00+14:00", "1969-12-31T23:59:59Z", "2023-06-15T08:30:00.25+05:30")
	ordering := len(instants) // the ordering operators get these; "=" gets values from the data too
	for i, r := range recs {
		if i%10 == 0 {
			instants = append(instants, r.createdAt, r.startDateTime)
			if r.endDateTime != "" {
				instants = append(instants, r.endDateTime)
			}
		}
	}
	for _, f := range filter.Fields {
		if f.Kind != filter.Instant {
			continue
		}
		for _, op := range f.Ops {
			for i, v := range instants {
				if op == filter.Eq || i < ordering {
					add(f.Name + string(op) + v)
				}
			}
		}
	}
	for _, s := range []string{
		"", "unknown=x", "unknown>5", "contractId=C100&unknown=x", "unknown=x&contractId=C100",
		"unknown=x;contractId=C100", "Name=Alpha", "CONTRACTID=C100",
		"contractId=C100;contractId=C1000", "contractId=C100&contractId=C1000",
		"contractId=C100;name=Alpha&username=alpha", "name=Alpha&username=alpha;contractId=C100",
		"productOfferingId=PRP_SKYRTK_EU_12&endDateTime>2024-01-01T00:00:00Z",
		"endDateTime>=0001-01-01T00:00:00Z", "endDateTime<=9999-12-31T23:59:59Z",
		"endDateTime>=0001-01-01T00:00:00Z;createdAt<2024-05-01T14:00:00+02:00",
		"createdAt=2024-05-01T14:00:00+02:00;startDateTime=2024-05-01T07:00:00-05:00",
		"createdAt>=2024-05-01T12:00:00Z&createdAt<=2024-05-01T12:00:00.000Z",
		"startDateTime>2023-01-01T00:00:00Z&startDateTime<2024-01-01T00:00:00Z;endDateTime>2027-01-01T00:00:00Z",
	} {
		add(s)
	}
	// Random combinations of values from the data.
	rng := rand.New(rand.NewPCG(7, 7))
	for range 200 {
		var e filter.Expr
		for range 1 + rng.IntN(3) {
			var c filter.Conj
			for range 1 + rng.IntN(3) {
				r := recs[rng.IntN(len(recs))]
				f := filter.Fields[rng.IntN(len(filter.Fields))]
				v, present := r.field(f.Name)
				if !present {
					v = r.startDateTime
				}
				c = append(c, filter.Cond{Field: f.Name, Op: f.Ops[rng.IntN(len(f.Ops))], Value: v})
			}
			e = append(e, c)
		}
		add(e.String())
	}
	return out
}

// TestFilterAgreesWithOracle: the SQL the server compiles selects exactly what the
// shared oracle selects, for both tenants and both query forms (SAM-FL-01..09,
// SAM-PG-05/07).
func TestFilterAgreesWithOracle(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	recs := allRecords(t, s, primaryID)
	exprs := filterExprs(recs)
	nonEmpty := 0
	for i, text := range exprs {
		if testing.Short() && i%5 != 0 {
			continue // the full table ran in the first pass; the race pass samples it
		}
		e, err := filter.Parse(text)
		if err != nil {
			t.Fatalf("table expression %q: %v", text, err)
		}
		want := oracleIDs(t, recs, e)
		if len(want) > 0 && len(want) < len(recs) {
			nonEmpty++
		}
		// One page holds everything; every tenth expression is walked in small pages.
		size := 1000
		if i%10 == 0 {
			size = max(2, len(want)/5)
		}
		got, total := walk(t, s, fmt.Sprintf("/eos/access?%s&pageSize=%d", e.QueryParam(), size))
		if total != len(got) {
			t.Errorf("%q: X-Total-Count %d, walk saw %d", text, total, len(got))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: server %d ids, oracle %d ids\nserver only: %v\noracle only: %v",
				text, len(got), len(want), minus(got, want), minus(want, got))
		}
		if i%10 == 5 { // the page's raw form gives the same (SAM-FL-09)
			raw, _ := walk(t, s, fmt.Sprintf("/eos/access?%s&pageSize=1000", e.RawQueryParam()))
			if !slices.Equal(raw, want) {
				t.Errorf("%q raw form: %d ids, oracle %d", text, len(raw), len(want))
			}
		}
	}
	if !testing.Short() && nonEmpty < len(exprs)/3 {
		t.Errorf("only %d of %d expressions select a proper non-empty subset: the table is too weak", nonEmpty, len(exprs))
	}
	// The secondary tenant shares some values; its lists hold only its own.
	sec := allRecords(t, s, secondaryID)
	for _, text := range []string{"", "contractId=C100", "productOfferingId=PRP_SKYRTK_EU_12", "name=Alpha", "createdBy=job-1001"} {
		e, _ := filter.Parse(text)
		want := oracleIDs(t, sec, e)
		w := do(t, s, req{target: "/acme/access?pageSize=1000&" + e.QueryParam(), token: secondaryToken})
		wantStatus(t, w, http.StatusOK)
		var got []string
		for _, r := range decode[[]resource](t, w) {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("acme %q: got %v, want %v", text, got, want)
		}
	}
}

func minus(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

// TestFilterRejections: malformed expressions, unsupported operators and bad dates
// give 400 with a JSON error (SAM-FL-08), never a 5xx (SAM-CM-05).
func TestFilterRejections(t *testing.T) {
	s := newServer(t, nil)
	for _, text := range []string{
		"contractId", "=x", "contractId>5", "name<=a", "createdAt=yesterday", "createdAt>2024-05-01",
		"endDateTime<2024-13-01T00:00:00Z", "startDateTime=2024-05-01T12:00:00", "contractId=1&",
		";contractId=1", "contractId=1;;name=a", "createdAt>2024-05-01T12:00:00+2:00",
	} {
		w := get(t, s, "/eos/access?filter="+filter.Encode(text))
		if w.Code != http.StatusBadRequest {
			t.Errorf("%q: status %d, want 400: %s", text, w.Code, excerpt(w.Body.String()))
			continue
		}
		wantError(t, w, http.StatusBadRequest)
	}
	// A broken percent-encoding is malformed too.
	wantError(t, get(t, s, "/eos/access?filter=name%3Dab%zz"), http.StatusBadRequest)
}

// TestFilterOddValues: values the grammar allows but that stress the server (NUL,
// invalid UTF-8, very long, many conditions) give an answer, never a 5xx.
func TestFilterOddValues(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	long := make([]byte, 100_000)
	for i := range long {
		long[i] = 'x'
	}
	// More disjuncts than SQLite's expression depth limit (1000) allows in a chain.
	many := filter.Expr{}
	for i := range 1200 {
		many = append(many, filter.Conj{{Field: "name", Op: filter.Eq, Value: fmt.Sprint("n", i)}})
	}
	many = append(many, filter.Conj{{Field: "name", Op: filter.Eq, Value: "Alpha"}})
	cases := []struct {
		query string
		total int
	}{
		{"filter=name%3DAlpha%00", 0},
		{"filter=name%3D%FF%FE", 0},
		{"filter=name%3D" + string(long), 0},
		{"filter=name%3DAlpha&unknownParam=1&another&pageSize=3", 1}, // unknown parameters, bare or not, change nothing
	}
	if !testing.Short() { // slow under the race detector, and single-threaded anyway
		cases = append(cases, struct {
			query string
			total int
		}{many.QueryParam(), 1})
	}
	for _, tc := range cases {
		w := get(t, s, "/eos/access?"+tc.query)
		if w.Code >= 500 {
			t.Fatalf("%.60s: status %d", tc.query, w.Code)
		}
		if tc.total >= 0 {
			wantStatus(t, w, http.StatusOK)
			if got := atoi(t, w.Header().Get("X-Total-Count")); got != tc.total {
				t.Errorf("%.60s: total %d, want %d", tc.query, got, tc.total)
			}
		}
	}
}
