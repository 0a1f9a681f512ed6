package steps

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

func TestBillingPeriodEnd(t *testing.T) {
	for _, tc := range []struct {
		at       time.Time
		from, to string
	}{
		{time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC), "2026-11-30T23:59:00Z", "2026-12-01T00:00:00Z"},
		{time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z"},
		{time.Date(2028, 2, 10, 0, 0, 0, 0, time.UTC), "2028-02-29T23:59:00Z", "2028-03-01T00:00:00Z"},
		// 22:30 on 31 January at UTC-3 is already February in UTC.
		{time.Date(2027, 1, 31, 22, 30, 0, 0, time.FixedZone("", -3*3600)), "2027-02-28T23:59:00Z", "2027-03-01T00:00:00Z"},
	} {
		from, to := billingPeriodEnd(tc.at)
		if from.Format(time.RFC3339) != tc.from || to.Format(time.RFC3339) != tc.to {
			t.Errorf("billingPeriodEnd(%v) = %v .. %v, want %s .. %s", tc.at, from, to, tc.from, tc.to)
		}
	}
}

func TestCheckBatchTermination(t *testing.T) {
	nov := time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC)
	body := func(status, end string) []byte {
		if end == "" {
			return []byte(`{"status":"` + status + `"}`)
		}
		return []byte(`{"status":"` + status + `","endDateTime":"` + end + `"}`)
	}
	for _, tc := range []struct {
		name                       string
		body                       []byte
		submitted, completed, read time.Time
		problem                    string // "" when it passes
	}{
		{"last second of the month", body("PENDING_TERMINATE", "2026-11-30T23:59:59Z"), nov, nov, nov, ""},
		{"window start, inclusive", body("PENDING_TERMINATE", "2026-11-30T23:59:00Z"), nov, nov, nov, ""},
		{"window end, inclusive", body("PENDING_TERMINATE", "2026-12-01T00:00:00Z"), nov, nov, nov, ""},
		{"another offset, same instant", body("PENDING_TERMINATE", "2026-12-01T01:59:59+02:00"), nov, nov, nov, ""},
		{"fraction inside", body("PENDING_TERMINATE", "2026-11-30T23:59:59.999Z"), nov, nov, nov, ""},
		{"a second early", body("PENDING_TERMINATE", "2026-11-30T23:58:59Z"), nov, nov, nov, "outside the end of the billing period"},
		{"a second late", body("PENDING_TERMINATE", "2026-12-01T00:00:01Z"), nov, nov, nov, "outside"},
		{"now", body("PENDING_TERMINATE", "2026-11-24T20:00:00Z"), nov, nov, nov, "outside"},
		{"end of next month", body("PENDING_TERMINATE", "2026-12-31T23:59:59Z"), nov, nov, nov, "outside"},
		{"no end", body("PENDING_TERMINATE", ""), nov, nov, nov, "endDateTime absent"},
		{"not a date", body("PENDING_TERMINATE", "end of month"), nov, nov, nov, "not an RFC 3339"},
		{"TERMINATED before the end", body("TERMINATED", "2026-11-30T23:59:59Z"), nov, nov, nov, `status "TERMINATED"`},
		{"still ACTIVE", body("ACTIVE", "2026-11-30T23:59:59Z"), nov, nov, nov, `status "ACTIVE"`},
		{
			"across midnight at month end: the submission's month",
			body("PENDING_TERMINATE", "2026-11-30T23:59:59Z"),
			time.Date(2026, 11, 30, 23, 59, 58, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 1, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 1, 0, time.UTC),
			"",
		},
		{
			"across midnight at month end: the completion's month",
			body("PENDING_TERMINATE", "2026-12-31T23:59:59Z"),
			time.Date(2026, 11, 30, 23, 59, 58, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 1, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 1, 0, time.UTC),
			"",
		},
		{
			"TERMINATED once the end has passed",
			body("TERMINATED", "2026-11-30T23:59:59Z"),
			time.Date(2026, 11, 30, 23, 59, 58, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 1, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 2, 0, time.UTC),
			"",
		},
		{
			"TERMINATED a little early: the target's clock may run ahead",
			body("TERMINATED", "2026-11-30T23:59:59Z"),
			time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC), time.Date(2026, 11, 30, 23, 59, 1, 0, time.UTC), time.Date(2026, 11, 30, 23, 58, 30, 0, time.UTC),
			"",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := checkBatchTermination("eos_1", tc.body, tc.submitted, tc.completed, tc.read)
			switch {
			case tc.problem == "" && p != nil:
				t.Errorf("unexpected problem: %s", p.msg)
			case tc.problem != "" && p == nil:
				t.Errorf("no problem, want one saying %q", tc.problem)
			case p != nil && (!strings.Contains(p.msg, tc.problem) || !slices.Equal(p.reqs, []string{"SAM-BT-11"})):
				t.Errorf("problem %v %q, want SAM-BT-11 saying %q", p.reqs, p.msg, tc.problem)
			}
		})
	}
}

func TestJudgeBatchItems(t *testing.T) {
	eos, acme := Tenant{Name: "eos"}, Tenant{Name: "acme"}
	ppu1 := batchItem{id: "p1", owner: eos, known: true, ppu: true}
	ppu2 := batchItem{id: "p2", owner: eos, known: true, ppu: true}
	nonPPU := batchItem{id: "n1", owner: eos, known: true}
	unknown := batchItem{id: "u1"}
	foreign := batchItem{id: "f1", owner: acme, known: true}
	mixed := []batchItem{ppu1, ppu2, nonPPU, unknown, foreign}
	const good = `{"state":"DONE","updatedAccesses":[{"id":"p1"},{"id":"p2"}],"errors":[
		{"accessId":"n1","code":"NOT_PPU"},{"accessId":"u1","code":"NOT_FOUND"},{"accessId":"f1","code":"NOT_FOUND"}]}`
	for _, tc := range []struct {
		name      string
		items     []batchItem
		submitter string
		task      string
		reqs      []string // the union of the problems' requirements; nil when none
		says      string
	}{
		{"each item on its own", mixed, "eos", good, nil, ""},
		{"errors in any order, unnamed ones count", mixed, "eos",
			`{"state":"DONE","updatedAccesses":[{"id":"p2"},{"id":"p1"}],"errors":[{"code":"X"},{"accessId":"u1","code":"NOT_FOUND"},{"accessId":"*","code":"X"}]}`, nil, ""},
		{"non-PPU applied", []batchItem{ppu1, nonPPU}, "eos",
			`{"state":"DONE","updatedAccesses":[{"id":"p1"},{"id":"n1"}],"errors":[]}`, []string{"SAM-BT-07"}, "n1 (a non-PPU access) is listed as updated"},
		{"non-PPU fails the whole batch", []batchItem{ppu1, nonPPU}, "eos",
			`{"state":"FAILED","errors":[{"accessId":"*","code":"NOT_PPU"}]}`, []string{"SAM-BT-07"}, "ended FAILED"},
		{"unknown id fails the whole batch", []batchItem{ppu1, unknown}, "eos",
			`{"state":"FAILED","errors":[{"accessId":"*","code":"NOT_FOUND"}]}`, []string{"SAM-BT-08"}, "ended FAILED"},
		{"a PPU item failed beside an unknown id", []batchItem{ppu1, unknown}, "eos",
			`{"state":"DONE","updatedAccesses":[],"errors":[{"accessId":"p1","code":"X"},{"accessId":"u1","code":"NOT_FOUND"}]}`, []string{"SAM-BT-08"}, "the PPU access p1 failed (code \"X\")"},
		{"a valid batch failed", []batchItem{ppu1, ppu2}, "eos", `{"state":"REJECTED","errors":[]}`, []string{"SAM-BT-07"}, "ended REJECTED"},
		{"foreign access applied", []batchItem{ppu1, foreign}, "eos",
			`{"state":"DONE","updatedAccesses":[{"id":"p1"},{"id":"f1"}],"errors":[]}`, []string{"SAM-BT-08", "SAM-CM-06"}, `f1 (an access of tenant "acme")`},
		{"failed items missing", mixed, "eos",
			`{"state":"DONE","updatedAccesses":[{"id":"p1"},{"id":"p2"}],"errors":[]}`, []string{"SAM-BT-09", "SAM-BT-07", "SAM-BT-08", "SAM-CM-06"}, "5 submitted, 2 updated + 0 errors"},
		{"updated list missing", []batchItem{ppu1}, "eos", `{"state":"DONE","errors":[]}`, []string{"SAM-BT-09"}, "neither in updatedAccesses nor in errors"},
		{"an id twice", []batchItem{ppu1}, "eos", `{"state":"DONE","updatedAccesses":[{"id":"p1"},{"id":"p1"}],"errors":[]}`, []string{"SAM-BT-09"}, "2 times"},
		{"updated and failed", []batchItem{ppu1}, "eos",
			`{"state":"DONE","updatedAccesses":[{"id":"p1"}],"errors":[{"accessId":"p1","code":"X"}]}`, []string{"SAM-BT-09"}, "both"},
		{"an id never submitted", []batchItem{ppu1}, "eos",
			`{"state":"DONE","updatedAccesses":[{"id":"p1"},{"id":"zz"}],"errors":[]}`, []string{"SAM-BT-09"}, `"zz"`},
		// Under the other tenant every item must fail; failing the batch as a whole is fine.
		{"the other tenant's batch fails as a whole", []batchItem{ppu1}, "acme", `{"state":"FAILED","errors":[]}`, nil, ""},
		{"the other tenant's batch fails the item", []batchItem{ppu1}, "acme",
			`{"state":"DONE","updatedAccesses":[],"errors":[{"accessId":"p1","code":"NOT_FOUND"}]}`, nil, ""},
		{"the other tenant's batch changes the access", []batchItem{ppu1}, "acme",
			`{"state":"DONE","updatedAccesses":[{"id":"p1"}],"errors":[]}`, []string{"SAM-BT-08", "SAM-CM-06"}, "listed as updated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := judgeBatchItems(tc.items, tc.submitter, gjson.Parse(tc.task))
			var reqs, msgs []string
			for _, p := range ps {
				for _, r := range p.reqs {
					if !slices.Contains(reqs, r) {
						reqs = append(reqs, r)
					}
				}
				msgs = append(msgs, p.msg)
			}
			slices.Sort(reqs)
			want := slices.Sorted(slices.Values(tc.reqs))
			if !slices.Equal(reqs, want) {
				t.Errorf("requirements %v, want %v (%q)", reqs, want, msgs)
			}
			if tc.says != "" && !strings.Contains(strings.Join(msgs, "; "), tc.says) {
				t.Errorf("messages %q do not say %q", msgs, tc.says)
			}
		})
	}
}

func TestBatchTaskWarnings(t *testing.T) {
	items := []batchItem{{id: "p1", known: true, ppu: true}, {id: "u1"}}
	if ws := batchTaskWarnings(items, gjson.Parse(`{"state":"DONE","updatedAccesses":[{"id":"p1"}],"errors":[{"accessId":"u1","code":"NOT_FOUND"}]}`)); len(ws) != 0 {
		t.Errorf("warnings on a good task: %q", ws)
	}
	ws := batchTaskWarnings(items, gjson.Parse(`{"state":"DONE","errors":[{"accessId":"*","code":"NOT_FOUND"}]}`))
	if len(ws) != 2 || !strings.Contains(ws[0], `"updatedAccesses"`) || !strings.Contains(ws[1], `"*"`) {
		t.Errorf("warnings %q", ws)
	}
	if ws := batchTaskWarnings(items, gjson.Parse(`{"state":"FAILED"}`)); len(ws) != 0 {
		t.Errorf("warnings on a FAILED task: %q", ws)
	}
}

func TestFillBatchPlaceholders(t *testing.T) {
	got := fillBatchPlaceholders(`{"accessesIdList":["ACCESS-ID"],"a":"RANDOM-PASSWORD","b":"RANDOM-PASSWORD","c":"RANDOM-PASSWORD-73-BYTES"}`, "eos_1")
	r := gjson.Parse(got)
	if r.Get("accessesIdList.0").String() != "eos_1" || len(r.Get("c").String()) != 73 || len(r.Get("a").String()) != 24 || r.Get("a").String() == r.Get("b").String() {
		t.Errorf("filled %s", got)
	}
}
