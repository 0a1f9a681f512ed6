package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/fuzz/filter"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/internal/walker"
)

// filterSteps are the steps of the filter area (features/skylark/filters.feature).
// Every value comes from the tenant's own data (the scenario's unfiltered walk), so
// the scenarios run on any data set; where the data cannot exercise a rule the
// scenario is skipped with the reason, never passed.
func filterSteps(w *World) []stepDef {
	return []stepDef{
		{`^I filter on (contractId|productOfferingId|createdBy|name|username|startDateTime|endDateTime) (=|>|>=|<|<=) values taken from the data$`, w.iFilterOnValuesFromTheData},
		{`^each result is exactly the accesses the expression matches$`, w.eachResultIsExactlyTheMatches},
		{"^I filter on (contractId|name|username|createdBy|productOfferingId) = `([^`]*)`$", w.iFilterOnTheValue},
		{`^I filter on each value in the data that holds a quote, wildcard, backslash, space, regex character or non-ASCII letter$`, w.iFilterOnEveryMetacharacterValue},
		{`^I take two conditions a and b from the data that (some accesses share|select different accesses)$`, w.iTakeTwoConditions},
		{`^I take conditions a and b that some accesses share, and c that selects accesses outside a and b$`, w.iTakeThreeConditions},
		{`^a&b returns the intersection of a and b$`, w.andIsIntersection},
		{`^a;b returns the union of a and b$`, w.orIsUnion},
		{`^a&b;c returns the union of a&b and c$`, w.andBeforeOrLeft},
		{`^c;a&b returns the union of c and a&b$`, w.andBeforeOrRight},
		{`^I walk the list with the unknown query parameter "([^"]+)"$`, w.iWalkWithUnknownParameter},
		{`^I filter on a condition taken from the data, with the unknown query parameter "([^"]+)" added$`, w.iFilterWithUnknownParameter},
		{`^I filter on the unknown field condition "([^"]+)" alone$`, w.iFilterOnUnknownFieldAlone},
		{`^I filter on a condition taken from the data and on it with "&([^"]+)" appended$`, w.iFilterWithUnknownFieldAppended},
		{`^the result is the same as without it$`, w.theResultIsTheSameAsWithoutIt},
		{`^I probe createdAt at instants taken from the data, each written in several offsets$`, w.iProbeCreatedAt},
		{`^createdAt<v and createdAt>=v are disjoint and together give every access$`, w.ltGePartition},
		{`^createdAt<=v and createdAt>v are disjoint and together give every access$`, w.leGtPartition},
		{`^createdAt=v gives exactly the accesses in both createdAt<=v and createdAt>=v$`, w.eqIsLeAndGe},
		{`^for v1 <= v2, createdAt>=v2 lies within createdAt>=v1 and createdAt<v1 within createdAt<v2$`, w.createdAtMonotonic},
		{`^the same instant written in another offset gives the same accesses$`, w.createdAtOffsetInvariant},
		{`^I walk a filter that matches several accesses in pages of (\d+)$`, w.iWalkAFilterInPagesOf},
		{`^I list with the filter "([^"]*)"$`, w.iListWithTheFilter},
		{`^the filter is rejected with 400$`, w.theFilterIsRejected},
		{`^I filter on a and b in the encoded and in the raw form$`, w.iFilterInBothForms},
		{`^both forms give the same accesses and the same X-Total-Count$`, w.bothFormsAgree},
	}
}

// filterState is the filter area's per-scenario state, kept in World.filter.
type filterState struct {
	// runs are the scenario's filtered walks whose result the next Then judges.
	runs []filterRun
	// a, b and c are the conditions an algebra scenario combines.
	a, b, c filter.Conj
	// walked caches walks by the expression sent, so each is walked once.
	walked map[string]*walker.Result
	// baseline is what a "same as without it" comparison compares with.
	baseline *walker.Result
	// probes are the createdAt probes: each instant in several written forms.
	probes []probe
}

// filterRun is one filtered walk.
type filterRun struct {
	expr filter.Expr
	res  *walker.Result
}

// returnedFields are the filterable fields responses carry, in catalogue order.
func returnedFields() []string {
	var out []string
	for _, f := range filter.Fields {
		if f.Returned {
			out = append(out, f.Name)
		}
	}
	return out
}

// accessRecord is one access of the snapshot: its id and its returned filterable
// fields (absent ones marked), the oracle's input.
type accessRecord struct {
	id      string
	values  []string
	present []bool
}

// snapshot is the tenant's unfiltered list, as walked in the scenario.
type snapshot struct {
	fields  []string
	index   map[string]int // field name -> position in values
	records []accessRecord
	ids     *walker.IDSet
	total   int64
}

func newSnapshot() *snapshot {
	s := &snapshot{fields: returnedFields(), index: map[string]int{}, ids: walker.NewIDSet()}
	for i, f := range s.fields {
		s.index[f] = i
	}
	return s
}

// add keeps one walked item; a duplicate id (a paging fault, reported by the
// walker) is kept once.
func (s *snapshot) add(item gjson.Result) error {
	id := item.Get("id").String()
	if !s.ids.Add(id) {
		return nil
	}
	r := accessRecord{id: strings.Clone(id), values: make([]string, len(s.fields)), present: make([]bool, len(s.fields))}
	// One pass over the item's members; the first member of a name counts, as
	// item.Get(name) reads it, and null is absent.
	seen := make([]bool, len(s.fields))
	item.ForEach(func(key, v gjson.Result) bool {
		i, ok := s.index[key.String()]
		if !ok || seen[i] {
			return true
		}
		seen[i] = true
		if v.Type != gjson.Null {
			r.values[i], r.present[i] = strings.Clone(v.String()), true
		}
		return true
	})
	s.records = append(s.records, r)
	return nil
}

// idAt is the id of the access at position i of the walk, in the order walked.
func (s *snapshot) idAt(i int) (string, bool) {
	if i < 0 || i >= len(s.records) {
		return "", false
	}
	return s.records[i].id, true
}

// orderOf is idAt for the accesses e matches: the unfiltered order with the others
// left out, which is where a filtered walk's gap is placed.
func (s *snapshot) orderOf(e filter.Expr) func(int) (string, bool) {
	var ids []string
	for i := range s.records {
		if ok, err := e.Match(s.record(&s.records[i])); ok && err == nil {
			ids = append(ids, s.records[i].id)
		}
	}
	return func(i int) (string, bool) {
		if i < 0 || i >= len(ids) {
			return "", false
		}
		return ids[i], true
	}
}

func (s *snapshot) record(r *accessRecord) filter.Record {
	return func(field string) (string, bool) {
		i, ok := s.index[field]
		if !ok {
			return "", false
		}
		return r.values[i], r.present[i]
	}
}

// matching is the oracle: the ids of the snapshot e matches (on returned fields).
func (s *snapshot) matching(e filter.Expr) (*walker.IDSet, error) {
	out := walker.NewIDSet()
	for i := range s.records {
		ok, err := e.Match(s.record(&s.records[i]))
		if err != nil {
			return nil, fmt.Errorf("oracle on access %q: %w", s.records[i].id, err)
		}
		if ok {
			out.Add(s.records[i].id)
		}
	}
	return out, nil
}

// values returns the distinct values of a field, sorted, with their counts.
func (s *snapshot) values(field string) ([]string, map[string]int) {
	i := s.index[field]
	counts := map[string]int{}
	for _, r := range s.records {
		if r.present[i] {
			counts[r.values[i]]++
		}
	}
	keys := make([]string, 0, len(counts))
	for v := range counts {
		keys = append(keys, v)
	}
	sort.Strings(keys)
	return keys, counts
}

func (w *World) needSnapshot() (*snapshot, error) {
	if w.paging.snapshot == nil {
		return nil, &HarnessError{Err: errors.New("the scenario has no unfiltered walk to take values from (add: Given the tenant's accesses, walked at the largest page size)")}
	}
	return w.paging.snapshot, nil
}

// filterText is the filter query component for an expression text, in the form the
// run uses: percent-encoded (the catalogue's form) or the page's raw form.
func (w *World) filterText(text string) string {
	if w.suite.Scope.RawFilter {
		return "filter=" + strings.NewReplacer("%", "%25", " ", "%20", "#", "%23", "+", "%2B").Replace(text)
	}
	return "filter=" + filter.Encode(text)
}

// ownRequirement is the scenario's filter requirement: the one a filter result that
// is not exactly the matching accesses breaks. SAM-FL-07 (totals and links) is never
// it: a scenario about totals blames wrong items on SAM-FL-01.
func (w *World) ownRequirement() string {
	for _, r := range w.record.Requirements {
		if strings.HasPrefix(r, "SAM-FL-") && r != walker.ReqFiltTotal {
			return r
		}
	}
	return walker.ReqMatch
}

// walkFilter walks one expression at the largest page size (cached per scenario).
// check says whether returned items are checked against the expression as they
// arrive (the algebra scenarios judge sets only).
func (w *World) walkFilter(ctx context.Context, e filter.Expr, extra string, check bool) (*walker.Result, error) {
	key := fmt.Sprintf("%v\x00%s\x00%s", check, e.String(), extra)
	if res, ok := w.filter.walked[key]; ok {
		return res, nil
	}
	cfg := walker.Config{PageSize: w.largestPageSize(), Extra: extra, MatchRequirement: w.ownRequirement()}
	if len(e) > 0 {
		cfg.Filter = w.filterText(e.String())
	}
	if check {
		cfg.Expr = e
	}
	res, err := w.walkList(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if w.filter.walked == nil {
		w.filter.walked = map[string]*walker.Result{}
	}
	w.filter.walked[key] = res
	return res, nil
}

func cond(field string, op filter.Op, value string) filter.Expr {
	return filter.Expr{{{Field: field, Op: op, Value: value}}}
}

func (w *World) iFilterOnValuesFromTheData(ctx context.Context, field, op string) error {
	snap, err := w.needSnapshot()
	if err != nil {
		return err
	}
	f, _ := filter.LookupField(field)
	var values []string
	if f.Kind == filter.Text {
		values = textValues(snap, field)
	} else {
		values = instantValues(snap, field, filter.Op(op))
	}
	if len(values) == 0 {
		return skipf("no access of tenant %q has a %s value to filter on", w.tenant.Name, field)
	}
	for _, v := range values {
		e := cond(field, filter.Op(op), v)
		res, err := w.walkFilter(ctx, e, "", true)
		if err != nil {
			return err
		}
		w.filter.runs = append(w.filter.runs, filterRun{expr: e, res: res})
	}
	return nil
}

// textValues picks up to three discriminating values of a text field: one with a
// case variant elsewhere in the data (catches case-insensitive equality), the most
// shared one, and one that prefixes another value (catches prefix or LIKE matches).
func textValues(s *snapshot, field string) []string {
	keys, counts := s.values(field)
	if len(keys) == 0 {
		return nil
	}
	var picks []string
	add := func(v string) {
		if !slices.Contains(picks, v) {
			picks = append(picks, v)
		}
	}
	folded := map[string][]string{}
	for _, k := range keys {
		folded[strings.ToLower(k)] = append(folded[strings.ToLower(k)], k)
	}
	for _, k := range keys {
		if len(folded[strings.ToLower(k)]) > 1 {
			add(k)
			break
		}
	}
	best := keys[0]
	for _, k := range keys {
		if counts[k] > counts[best] {
			best = k
		}
	}
	add(best)
	for i, k := range keys {
		if i+1 < len(keys) && strings.HasPrefix(keys[i+1], k) {
			add(k)
			break
		}
	}
	return picks
}

// instantValue is a date-time value of the data with its instant.
type instantValue struct {
	text string
	at   time.Time
}

func instants(s *snapshot, fields ...string) []instantValue {
	var out []instantValue
	seen := map[string]bool{}
	for _, f := range fields {
		keys, _ := s.values(f)
		for _, k := range keys {
			if t, err := filter.ParseInstant(k); err == nil && !seen[k] {
				seen[k] = true
				out = append(out, instantValue{k, t})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// instantValues picks up to three discriminating values of a date-time field: one
// whose instant the data also holds written another way (instants, not text), the
// one whose comparison as text disagrees most with its comparison as an instant, and
// the median instant written in a +05:30 offset (a value the data does not hold as
// text, whose "+" must travel percent-encoded). Every pick is an instant of the data,
// so ">=" and ">" differ on it.
func instantValues(s *snapshot, field string, op filter.Op) []string {
	vals := instants(s, field)
	if len(vals) == 0 {
		return nil
	}
	var picks []string
	add := func(v string) {
		if !slices.Contains(picks, v) {
			picks = append(picks, v)
		}
	}
	for i := 1; i < len(vals); i++ {
		if vals[i].at.Equal(vals[i-1].at) {
			add(vals[i].text)
			break
		}
	}
	step := max(1, len(vals)/64)
	bestScore, best := 0, ""
	for i := 0; i < len(vals); i += step {
		v := vals[i]
		score := 0
		for _, u := range vals {
			if compareText(u.text, op, v.text) != compareInstant(u.at, op, v.at) {
				score++
			}
		}
		if score > bestScore {
			bestScore, best = score, v.text
		}
	}
	if best != "" {
		add(best)
	}
	median := vals[len(vals)/2].at.In(time.FixedZone("", 5*3600+1800))
	add(median.Format(time.RFC3339Nano))
	return picks
}

func compareText(a string, op filter.Op, b string) bool {
	switch op {
	case filter.Gt:
		return a > b
	case filter.Ge:
		return a >= b
	case filter.Lt:
		return a < b
	case filter.Le:
		return a <= b
	}
	return a == b
}

func compareInstant(a time.Time, op filter.Op, b time.Time) bool {
	switch op {
	case filter.Gt:
		return a.After(b)
	case filter.Ge:
		return !a.Before(b)
	case filter.Lt:
		return a.Before(b)
	case filter.Le:
		return !a.After(b)
	}
	return a.Equal(b)
}

// eachResultIsExactlyTheMatches compares every filtered walk of the scenario with
// the oracle over the unfiltered walk: returned items that do not match, and
// matching accesses not returned, break the scenario's rule; a right set with a
// wrong X-Total-Count breaks SAM-FL-07.
func (w *World) eachResultIsExactlyTheMatches() error {
	snap, err := w.needSnapshot()
	if err != nil {
		return err
	}
	var problems []string
	var evidence *target.Exchange
	for _, run := range w.filter.runs {
		want, err := snap.matching(run.expr)
		if err != nil {
			return &HarnessError{Err: err}
		}
		if p := setDifference(run.res.IDs, want); p != "" {
			problems = append(problems, fmt.Sprintf("filter %q: %s", run.expr.String(), p))
			if evidence == nil {
				evidence = run.res.First
			}
			continue
		}
		if run.res.Total >= 0 && run.res.Total != int64(want.Len()) {
			w.finding("SAM-FL-07", verdict.Must, fmt.Sprintf("filter %q: X-Total-Count is %d, but %d accesses match", run.expr.String(), run.res.Total, want.Len()), recordOf(run.res.First))
		}
	}
	var own error
	if len(problems) > 0 {
		own = w.failOn(evidence, "%s", strings.Join(problems, "; "))
	}
	// With no access in the list, a filter read wrongly (a wildcard, an injection, a
	// value ignored) returns the same nothing as one read right.
	return w.settleOver(own, snap.ids.Len(), "the list of tenant %q holds no access: any reading of the filter matches nothing", w.tenant.Name)
}

// failOn builds the scenario's Failure with the first page of the walk that shows
// it as evidence (the last exchange may belong to another walk).
func (w *World) failOn(ex *target.Exchange, format string, args ...any) error {
	f := w.failf(format, args...).(*Failure)
	if e := recordOf(ex); e != nil {
		f.Exchange = e
	}
	return f
}

// setDifference describes how got differs from want, "" when equal.
func setDifference(got, want *walker.IDSet) string {
	missing, extra := want.Minus(got), got.Minus(want)
	var parts []string
	if len(extra) > 0 {
		parts = append(parts, fmt.Sprintf("returned %d accesses that do not match (%s)", len(extra), sampleIDs(extra)))
	}
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("left out %d matching accesses (%s)", len(missing), sampleIDs(missing)))
	}
	return strings.Join(parts, " and ")
}

func sampleIDs(ids []string) string {
	if len(ids) <= 5 {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:5], ", ") + fmt.Sprintf(" and %d more", len(ids)-5)
}

func (w *World) iFilterOnTheValue(ctx context.Context, field, value string) error {
	if _, err := w.needSnapshot(); err != nil {
		return err
	}
	e := cond(field, filter.Eq, value)
	res, err := w.walkFilter(ctx, e, "", true)
	if err != nil {
		return err
	}
	w.filter.runs = append(w.filter.runs, filterRun{expr: e, res: res})
	return nil
}

// metacharacters are the characters SAM-FL-06 names: quotes, wildcards, backslash,
// space, SQL and regex syntax.
const metacharacters = `'"%*_\ .^$[](){}|+?`

func hasMetacharacter(v string) bool {
	if strings.ContainsAny(v, metacharacters) {
		return true
	}
	for _, r := range v {
		if r >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// iFilterOnEveryMetacharacterValue filters on the data's own values that hold a
// metacharacter or a non-ASCII letter (up to four per text field).
func (w *World) iFilterOnEveryMetacharacterValue(ctx context.Context) error {
	snap, err := w.needSnapshot()
	if err != nil {
		return err
	}
	var exprs []filter.Expr
	for _, field := range []string{"contractId", "productOfferingId", "createdBy", "name", "username"} {
		keys, _ := snap.values(field)
		n := 0
		for _, k := range keys {
			if n < 4 && hasMetacharacter(k) && !strings.ContainsAny(k, "&;") {
				exprs = append(exprs, cond(field, filter.Eq, k))
				n++
			}
		}
	}
	if len(exprs) == 0 {
		return skipf("no text value of tenant %q holds a quote, wildcard, backslash, space, regex character or non-ASCII letter", w.tenant.Name)
	}
	for _, e := range exprs {
		res, err := w.walkFilter(ctx, e, "", true)
		if err != nil {
			return err
		}
		w.filter.runs = append(w.filter.runs, filterRun{expr: e, res: res})
	}
	return nil
}

// pairFields are the text fields the algebra scenarios combine: values shared by
// several accesses live there.
func pairFields() []string { return []string{"contractId", "productOfferingId", "createdBy"} }

// iTakeTwoConditions picks a and b from the data. For "some accesses share", a and
// b are two fields of one access whose intersection is smaller than each (so AND,
// OR and dropping one condition all differ). For "select different accesses", a
// and b are two values of one field, disjoint and both non-empty (so OR and AND
// differ).
func (w *World) iTakeTwoConditions(kind string) error {
	snap, err := w.needSnapshot()
	if err != nil {
		return err
	}
	if kind == "some accesses share" {
		a, b, ok := sharedPair(snap)
		if !ok {
			return skipf("no two fields of tenant %q's accesses have values whose accesses overlap only in part: AND cannot be told from OR or from one condition", w.tenant.Name)
		}
		w.filter.a, w.filter.b = a, b
		return nil
	}
	for _, f := range pairFields() {
		keys, counts := snap.values(f)
		if len(keys) < 2 {
			continue
		}
		sort.SliceStable(keys, func(i, j int) bool { return counts[keys[i]] > counts[keys[j]] })
		w.filter.a = filter.Conj{{Field: f, Op: filter.Eq, Value: keys[0]}}
		w.filter.b = filter.Conj{{Field: f, Op: filter.Eq, Value: keys[1]}}
		return nil
	}
	return skipf("every access of tenant %q has the same contractId, productOfferingId and createdBy: OR cannot be told from AND", w.tenant.Name)
}

// sharedPair finds a = f1=x, b = f2=y with 0 < |a∩b| < min(|a|, |b|).
func sharedPair(snap *snapshot) (filter.Conj, filter.Conj, bool) {
	fields := pairFields()
	for i, f1 := range fields {
		for _, f2 := range fields[i+1:] {
			_, c1 := snap.values(f1)
			_, c2 := snap.values(f2)
			both := map[[2]string]int{}
			i1, i2 := snap.index[f1], snap.index[f2]
			for _, r := range snap.records {
				if r.present[i1] && r.present[i2] {
					both[[2]string{r.values[i1], r.values[i2]}]++
				}
			}
			var keys [][2]string
			for k := range both {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool {
				if both[keys[i]] != both[keys[j]] {
					return both[keys[i]] > both[keys[j]]
				}
				return keys[i][0]+"\x00"+keys[i][1] < keys[j][0]+"\x00"+keys[j][1]
			})
			for _, k := range keys {
				if n := both[k]; n < c1[k[0]] && n < c2[k[1]] && !strings.ContainsAny(k[0]+k[1], "&;") {
					return filter.Conj{{Field: f1, Op: filter.Eq, Value: k[0]}}, filter.Conj{{Field: f2, Op: filter.Eq, Value: k[1]}}, true
				}
			}
		}
	}
	return nil, nil, false
}

// iTakeThreeConditions picks a = contractId=x and b = productOfferingId=y of one
// access, and c = contractId=z (z != x) of an access whose productOfferingId is not
// y: then a&b;c read as a&(b;c), or c;a&b read as (c;a)&b, both give other sets.
func (w *World) iTakeThreeConditions() error {
	snap, err := w.needSnapshot()
	if err != nil {
		return err
	}
	ic, io := snap.index["contractId"], snap.index["productOfferingId"]
	usable := func(r accessRecord) bool {
		return r.present[ic] && r.present[io] && !strings.ContainsAny(r.values[ic]+r.values[io], "&;")
	}
	for _, r := range snap.records {
		if !usable(r) {
			continue
		}
		for _, s := range snap.records {
			if usable(s) && s.values[ic] != r.values[ic] && s.values[io] != r.values[io] {
				w.filter.a = filter.Conj{{Field: "contractId", Op: filter.Eq, Value: r.values[ic]}}
				w.filter.b = filter.Conj{{Field: "productOfferingId", Op: filter.Eq, Value: r.values[io]}}
				w.filter.c = filter.Conj{{Field: "contractId", Op: filter.Eq, Value: s.values[ic]}}
				return nil
			}
		}
	}
	return skipf("no two accesses of tenant %q differ in both contractId and productOfferingId: precedence cannot be observed", w.tenant.Name)
}

// algebra walks each expression once (sets only) and returns their id sets; the
// last expression's walk is kept as the evidence of a broken law.
func (w *World) algebra(ctx context.Context, exprs ...filter.Expr) ([]*walker.IDSet, error) {
	out := make([]*walker.IDSet, len(exprs))
	for i, e := range exprs {
		res, err := w.walkFilter(ctx, e, "", false)
		if err != nil {
			return nil, err
		}
		out[i] = res.IDs
	}
	return out, nil
}

func (w *World) checkAlgebra(label string, got, want *walker.IDSet) error {
	var own error
	if d := setDifference(got, want); d != "" {
		own = w.failOn(w.paging.last.First, "%s: %s", label, d)
	}
	return w.settle(own)
}

func (w *World) andIsIntersection(ctx context.Context) error {
	a, b := filter.Expr{w.filter.a}, filter.Expr{w.filter.b}
	ab := filter.Expr{append(append(filter.Conj{}, w.filter.a...), w.filter.b...)}
	sets, err := w.algebra(ctx, a, b, ab)
	if err != nil {
		return err
	}
	return w.checkAlgebra(fmt.Sprintf("%q against %q and %q", ab.String(), a.String(), b.String()), sets[2], sets[0].Intersect(sets[1]))
}

func (w *World) orIsUnion(ctx context.Context) error {
	a, b := filter.Expr{w.filter.a}, filter.Expr{w.filter.b}
	aOrB := filter.Expr{w.filter.a, w.filter.b}
	sets, err := w.algebra(ctx, a, b, aOrB)
	if err != nil {
		return err
	}
	return w.checkAlgebra(fmt.Sprintf("%q against %q and %q", aOrB.String(), a.String(), b.String()), sets[2], sets[0].Union(sets[1]))
}

func (w *World) andBeforeOrLeft(ctx context.Context) error {
	ab := append(append(filter.Conj{}, w.filter.a...), w.filter.b...)
	whole := filter.Expr{ab, w.filter.c}
	sets, err := w.algebra(ctx, filter.Expr{ab}, filter.Expr{w.filter.c}, whole)
	if err != nil {
		return err
	}
	return w.checkAlgebra(fmt.Sprintf("%q against %q and %q", whole.String(), ab.String(), w.filter.c.String()), sets[2], sets[0].Union(sets[1]))
}

func (w *World) andBeforeOrRight(ctx context.Context) error {
	ab := append(append(filter.Conj{}, w.filter.a...), w.filter.b...)
	whole := filter.Expr{w.filter.c, ab}
	sets, err := w.algebra(ctx, filter.Expr{w.filter.c}, filter.Expr{ab}, whole)
	if err != nil {
		return err
	}
	return w.checkAlgebra(fmt.Sprintf("%q against %q and %q", whole.String(), w.filter.c.String(), ab.String()), sets[2], sets[0].Union(sets[1]))
}

// unknownParam escapes "name=value" as one query parameter.
func unknownParam(nv string) string {
	name, value, _ := strings.Cut(nv, "=")
	return url.QueryEscape(name) + "=" + url.QueryEscape(value)
}

func (w *World) iWalkWithUnknownParameter(ctx context.Context, nv string) error {
	snap, err := w.needSnapshot()
	if err != nil {
		return err
	}
	w.filter.baseline = &walker.Result{IDs: snap.ids, Total: snap.total}
	res, err := w.walkFilter(ctx, nil, unknownParam(nv), false)
	if err != nil {
		return err
	}
	w.filter.runs = append(w.filter.runs, filterRun{res: res})
	return nil
}

// conditionFromData is the most shared value of the first text field that has
// values: a condition that selects some accesses but (usually) not all.
func (w *World) conditionFromData() (filter.Expr, error) {
	snap, err := w.needSnapshot()
	if err != nil {
		return nil, err
	}
	for _, f := range pairFields() {
		for _, v := range textValues(snap, f) {
			if !strings.ContainsAny(v, "&;") {
				return cond(f, filter.Eq, v), nil
			}
		}
	}
	return nil, skipf("tenant %q has no text value to filter on", w.tenant.Name)
}

func (w *World) iFilterWithUnknownParameter(ctx context.Context, nv string) error {
	a, err := w.conditionFromData()
	if err != nil {
		return err
	}
	base, err := w.walkFilter(ctx, a, "", false)
	if err != nil {
		return err
	}
	w.filter.baseline = base
	res, err := w.walkFilter(ctx, a, unknownParam(nv), false)
	if err != nil {
		return err
	}
	w.filter.runs = append(w.filter.runs, filterRun{expr: a, res: res})
	return nil
}

func (w *World) iFilterOnUnknownFieldAlone(ctx context.Context, text string) error {
	snap, err := w.needSnapshot()
	if err != nil {
		return err
	}
	e, err := parseUnknown(text)
	if err != nil {
		return err
	}
	w.filter.baseline = &walker.Result{IDs: snap.ids, Total: snap.total}
	res, err := w.walkFilter(ctx, e, "", false)
	if err != nil {
		return err
	}
	w.filter.runs = append(w.filter.runs, filterRun{expr: e, res: res})
	return nil
}

// parseUnknown parses a feature's condition, which must be on an unknown field.
func parseUnknown(text string) (filter.Expr, error) {
	e, err := filter.Parse(text)
	if err != nil || len(e.Known()) != 0 || len(e) != 1 {
		return nil, &HarnessError{Err: fmt.Errorf("the feature's condition %q is not one condition on an unknown field", text)}
	}
	return e, nil
}

func (w *World) iFilterWithUnknownFieldAppended(ctx context.Context, text string) error {
	a, err := w.conditionFromData()
	if err != nil {
		return err
	}
	u, err := parseUnknown(text)
	if err != nil {
		return err
	}
	base, err := w.walkFilter(ctx, a, "", false)
	if err != nil {
		return err
	}
	w.filter.baseline = base
	both := filter.Expr{append(append(filter.Conj{}, a[0]...), u[0]...)}
	res, err := w.walkFilter(ctx, both, "", false)
	if err != nil {
		return err
	}
	w.filter.runs = append(w.filter.runs, filterRun{expr: both, res: res})
	return nil
}

// theResultIsTheSameAsWithoutIt compares the last walk with the baseline: the same
// accesses and the same X-Total-Count (SAM-FL-04: what is unsupported changes nothing).
func (w *World) theResultIsTheSameAsWithoutIt() error {
	base := w.filter.baseline
	if base == nil || len(w.filter.runs) == 0 {
		return &HarnessError{Err: errors.New("the scenario walked nothing to compare")}
	}
	run := w.filter.runs[len(w.filter.runs)-1]
	var own error
	switch d := setDifference(run.res.IDs, base.IDs); {
	case d != "":
		own = w.failOn(run.res.First, "compared with the same request without it, the walk %s", d)
	case run.res.Total != base.Total:
		own = w.failOn(run.res.First, "compared with the same request without it, X-Total-Count changed from %d to %d", base.Total, run.res.Total)
	}
	// Nothing to lose: a target that drops results for what it does not know answers
	// the same empty list.
	return w.settleOver(own, base.IDs.Len(), "without it the list of tenant %q holds no access, so what it drops cannot be seen", w.tenant.Name)
}

// probe is one createdAt probe instant in the forms it is written in.
type probe struct {
	at    time.Time
	forms []string
}

// iProbeCreatedAt chooses probe instants from the data's start and end date-times
// (createdAt itself is never returned): the two instants the data holds most often
// (where accesses cluster, so equal and near createdAt values are likeliest), and
// the median. Each is written as in the data, in UTC, and in +05:30.
func (w *World) iProbeCreatedAt() error {
	snap, err := w.needSnapshot()
	if err != nil {
		return err
	}
	vals := instants(snap, "startDateTime", "endDateTime")
	if len(vals) == 0 {
		return skipf("tenant %q has no date-time values to probe createdAt with", w.tenant.Name)
	}
	counts := map[int64]int{}
	for _, v := range vals {
		counts[v.at.UnixNano()]++
	}
	chosen := map[int64]bool{}
	var picks []instantValue
	add := func(v instantValue) {
		if !chosen[v.at.UnixNano()] {
			chosen[v.at.UnixNano()] = true
			picks = append(picks, v)
		}
	}
	byCount := append([]instantValue(nil), vals...)
	sort.SliceStable(byCount, func(i, j int) bool { return counts[byCount[i].at.UnixNano()] > counts[byCount[j].at.UnixNano()] })
	for i := 0; i < len(byCount) && i < 2; i++ {
		add(byCount[i])
	}
	add(vals[(len(vals)-1)/2])
	sort.Slice(picks, func(i, j int) bool { return picks[i].at.Before(picks[j].at) })
	for _, p := range picks {
		forms := []string{p.text}
		for _, f := range []string{p.at.UTC().Format(time.RFC3339Nano), p.at.In(time.FixedZone("", 5*3600+1800)).Format(time.RFC3339Nano)} {
			if f != forms[len(forms)-1] && f != forms[0] {
				forms = append(forms, f)
			}
		}
		w.filter.probes = append(w.filter.probes, probe{at: p.at, forms: forms})
	}
	return nil
}

// createdAt walks createdAt<op><v> (cached) and returns its ids. The first walk a
// law finds broken is kept as the law's evidence.
func (w *World) createdAt(ctx context.Context, op filter.Op, v string) (*walker.IDSet, error) {
	res, err := w.walkFilter(ctx, cond("createdAt", op, v), "", false)
	if err != nil {
		return nil, err
	}
	return res.IDs, nil
}

// lawEvidence is the first page of the createdAt walk a broken law names first.
func (w *World) lawEvidence(op filter.Op, v string) *target.Exchange {
	if res, ok := w.filter.walked[fmt.Sprintf("%v\x00%s\x00%s", false, cond("createdAt", op, v).String(), "")]; ok {
		return res.First
	}
	return nil
}

// partition checks that lower<v and upper>=v (or <=, >) are disjoint and cover all.
func (w *World) partition(ctx context.Context, lower, upper filter.Op) error {
	snap, err := w.needSnapshot()
	if err != nil {
		return err
	}
	var problems []string
	var evidence *target.Exchange
	for _, p := range w.filter.probes {
		v := p.forms[0]
		lo, err := w.createdAt(ctx, lower, v)
		if err != nil {
			return err
		}
		hi, err := w.createdAt(ctx, upper, v)
		if err != nil {
			return err
		}
		if both := lo.Intersect(hi); both.Len() > 0 {
			noteEvidence(&evidence, w.lawEvidence(upper, v))
			problems = append(problems, fmt.Sprintf("createdAt%s%s and createdAt%s%s share %d accesses (%s)", lower, v, upper, v, both.Len(), sampleIDs(both.Sorted())))
		}
		if d := setDifference(lo.Union(hi), snap.ids); d != "" {
			noteEvidence(&evidence, w.lawEvidence(upper, v))
			problems = append(problems, fmt.Sprintf("createdAt%s%s and createdAt%s%s together %s", lower, v, upper, v, strings.Replace(d, "returned", "hold", 1)))
		}
	}
	return w.lawResult(problems, evidence)
}

// lawResult judges a law: its problems, with the walk the first one names as evidence.
func (w *World) lawResult(problems []string, evidence *target.Exchange) error {
	var own error
	if len(problems) > 0 {
		own = w.failOn(evidence, "%s", strings.Join(problems, "; "))
	}
	return w.settle(own)
}

// noteEvidence keeps the first evidence of a law.
func noteEvidence(ev **target.Exchange, ex *target.Exchange) {
	if *ev == nil {
		*ev = ex
	}
}

func (w *World) ltGePartition(ctx context.Context) error {
	return w.partition(ctx, filter.Lt, filter.Ge)
}
func (w *World) leGtPartition(ctx context.Context) error {
	return w.partition(ctx, filter.Le, filter.Gt)
}

func (w *World) eqIsLeAndGe(ctx context.Context) error {
	var problems []string
	var evidence *target.Exchange
	for _, p := range w.filter.probes {
		v := p.forms[0]
		eq, err := w.createdAt(ctx, filter.Eq, v)
		if err != nil {
			return err
		}
		le, err := w.createdAt(ctx, filter.Le, v)
		if err != nil {
			return err
		}
		ge, err := w.createdAt(ctx, filter.Ge, v)
		if err != nil {
			return err
		}
		if d := setDifference(eq, le.Intersect(ge)); d != "" {
			noteEvidence(&evidence, w.lawEvidence(filter.Eq, v))
			problems = append(problems, fmt.Sprintf("createdAt=%s, against createdAt<=%s within createdAt>=%s, %s", v, v, v, d))
		}
	}
	return w.lawResult(problems, evidence)
}

// createdAtMonotonic takes each pair of consecutive probes, the earlier written in
// one offset and the later in another, so that their text order may differ from
// their order as instants.
func (w *World) createdAtMonotonic(ctx context.Context) error {
	var problems []string
	var evidence *target.Exchange
	ps := w.filter.probes
	for i := 0; i+1 < len(ps); i++ {
		if !ps[i].at.Before(ps[i+1].at) {
			continue
		}
		v1s := ps[i].forms
		v2s := ps[i+1].forms
		v1, v2 := v1s[len(v1s)-1], v2s[0]
		ge1, err := w.createdAt(ctx, filter.Ge, v1)
		if err != nil {
			return err
		}
		ge2, err := w.createdAt(ctx, filter.Ge, v2)
		if err != nil {
			return err
		}
		lt1, err := w.createdAt(ctx, filter.Lt, v1)
		if err != nil {
			return err
		}
		lt2, err := w.createdAt(ctx, filter.Lt, v2)
		if err != nil {
			return err
		}
		if out := ge2.Minus(ge1); len(out) > 0 {
			noteEvidence(&evidence, w.lawEvidence(filter.Ge, v2))
			problems = append(problems, fmt.Sprintf("%s <= %s, yet createdAt>=%s holds %d accesses createdAt>=%s does not (%s)", v1, v2, v2, len(out), v1, sampleIDs(out)))
		}
		if out := lt1.Minus(lt2); len(out) > 0 {
			noteEvidence(&evidence, w.lawEvidence(filter.Lt, v1))
			problems = append(problems, fmt.Sprintf("%s <= %s, yet createdAt<%s holds %d accesses createdAt<%s does not (%s)", v1, v2, v1, len(out), v2, sampleIDs(out)))
		}
	}
	return w.lawResult(problems, evidence)
}

func (w *World) createdAtOffsetInvariant(ctx context.Context) error {
	var problems []string
	var evidence *target.Exchange
	for _, p := range w.filter.probes {
		for _, op := range []filter.Op{filter.Ge, filter.Lt} {
			first, err := w.createdAt(ctx, op, p.forms[0])
			if err != nil {
				return err
			}
			for _, other := range p.forms[1:] {
				got, err := w.createdAt(ctx, op, other)
				if err != nil {
					return err
				}
				if d := setDifference(got, first); d != "" {
					noteEvidence(&evidence, w.lawEvidence(op, other))
					problems = append(problems, fmt.Sprintf("createdAt%s%s, against createdAt%s%s (the same instant), %s", op, other, op, p.forms[0], d))
				}
			}
		}
	}
	return w.lawResult(problems, evidence)
}

// iWalkAFilterInPagesOf picks a text condition matching at least three accesses
// (but not all), walks it at the largest page size (the server's own filtered set),
// then in small pages, which must visit exactly that set with the same total.
func (w *World) iWalkAFilterInPagesOf(ctx context.Context, size int) error {
	snap, err := w.needSnapshot()
	if err != nil {
		return err
	}
	var e filter.Expr
	for _, f := range []string{"contractId", "productOfferingId", "createdBy", "name", "username"} {
		keys, counts := snap.values(f)
		for _, k := range keys {
			if n := counts[k]; n > 2*size && n < snap.ids.Len() && !strings.ContainsAny(k, "&;") {
				e = cond(f, filter.Eq, k)
				break
			}
		}
		if e != nil {
			break
		}
	}
	if e == nil {
		return skipf("no text value of tenant %q is shared by more than %d accesses (and not by all): a filtered walk in pages of %d would not reach a third page", w.tenant.Name, 2*size, size)
	}
	whole, err := w.walkFilter(ctx, e, "", true)
	if err != nil {
		return err
	}
	_, err = w.walkList(ctx, walker.Config{
		PageSize: size, Filter: w.filterText(e.String()), Expr: e, Expected: whole.IDs, ExpectedAt: snap.orderOf(e),
		CoverageRequirement: walker.ReqCoverage, TotalRequirement: walker.ReqFiltTotal,
	})
	return err
}

func (w *World) iListWithTheFilter(ctx context.Context, text string) error {
	if w.suite.Scope.RawFilter && strings.HasSuffix(text, "&") {
		// Raw, the trailing "&" only ends the query parameter: the server cannot see it.
		return skipf("the raw filter form cannot carry a trailing \"&\"; run without --raw-filter to send %q", text)
	}
	_, err := w.send(ctx, target.Request{Method: http.MethodGet, Path: w.tenantPath(), RawQuery: w.filterText(text)})
	return err
}

// theFilterIsRejected is a SHOULD (SAM-FL-08): anything but 400 warns; a 5xx has
// already failed SAM-CM-05.
func (w *World) theFilterIsRejected() error {
	if r := w.last; r.Status != http.StatusBadRequest {
		w.finding("SAM-FL-08", verdict.Should, fmt.Sprintf("an unsupported or malformed filter: expected status 400, got %d%s", r.Status, bodyExcerpt(r.Exchange.ResponseBody)), w.lastExchange())
	}
	return nil
}

// iFilterInBothForms walks a&b once percent-encoded and once in the page's raw form
// (SAM-FL-09). The walk in the form the run does not use is compared, not judged:
// its paging is the encoded walk's business, and a server that reads the raw form
// otherwise breaks only this SHOULD.
func (w *World) iFilterInBothForms(ctx context.Context) error {
	ab := filter.Expr{append(append(filter.Conj{}, w.filter.a...), w.filter.b...)}
	for _, raw := range []bool{false, true} {
		form := ab.QueryParam()
		if raw {
			form = ab.RawQueryParam()
		}
		mark, incomplete := len(w.paging.pending), w.paging.incomplete
		res, err := w.walkList(ctx, walker.Config{PageSize: w.largestPageSize(), Filter: form})
		if err != nil {
			return err
		}
		if raw != w.suite.Scope.RawFilter {
			w.paging.pending, w.paging.incomplete = w.paging.pending[:mark], incomplete
		}
		w.filter.runs = append(w.filter.runs, filterRun{expr: ab, res: res})
	}
	return nil
}

// bothFormsAgree is a SHOULD (SAM-FL-09): a difference warns.
func (w *World) bothFormsAgree() error {
	if len(w.filter.runs) != 2 {
		return &HarnessError{Err: errors.New("the scenario did not walk both forms")}
	}
	enc, raw := w.filter.runs[0].res, w.filter.runs[1].res
	msg := ""
	switch d := setDifference(raw.IDs, enc.IDs); {
	case d != "":
		msg = fmt.Sprintf("the raw form %q, against the encoded form, %s", w.filter.runs[1].expr.RawQueryParam(), d)
	case raw.Total != enc.Total:
		msg = fmt.Sprintf("the raw form gives X-Total-Count %d, the encoded form %d", raw.Total, enc.Total)
	}
	if msg != "" {
		w.finding("SAM-FL-09", verdict.Should, msg, recordOf(raw.First))
	}
	// The raw form's own paging findings are judged like any walk's; a raw form the
	// server reads otherwise is only this SHOULD.
	return w.settle(nil)
}
