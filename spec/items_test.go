package spec_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/accessctk/accessctk/spec"
)

// itemPool is list items good and bad in several ways, so a drawn page mixes them.
var itemPool = []string{
	access,
	strings.Replace(access, `"ACTIVE"`, `"SUSPENDED"`, 1),
	strings.Replace(access, `"ACTIVE"`, `"active"`, 1),          // bad enum
	strings.Replace(access, `"id":"eos_1954829761",`, ``, 1),    // id missing
	strings.Replace(access, `"2024-03-01T00:00:00Z"`, `"x"`, 1), // bad date-time
	strings.Replace(access, `"rover12"`, `12`, 1),               // wrong type
	`{}`, `null`, `3`, `"text"`, `[]`, `[` + access + `]`,
	strings.Replace(access, `}`, `,"password":"p"}`, 1), // unknown property, if forbidden
}

func findingList(res spec.Result) []string {
	out := make([]string, len(res.Findings))
	for i, f := range res.Findings {
		out[i] = f.Where + ": " + f.Message
	}
	return out
}

// A list page checked item by item, with the items' findings remembered, gives
// exactly the findings of the whole body validated at once, whatever the page
// holds, and whatever pages came before it.
func TestItemByItemEqualsWholeBody(t *testing.T) {
	s := mustLoad(t, target)
	req := request(t, http.MethodGet, target+"/eos/access?pageSize=10")
	header := jsonHeader("X-Total-Count", "130", "Link", link)
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 12).Draw(t, "items")
		items := make([]string, n)
		for i := range items {
			items[i] = itemPool[rapid.IntRange(0, len(itemPool)-1).Draw(t, "item")]
		}
		body := []byte("[" + strings.Join(items, ",") + "]")
		if rapid.Bool().Draw(t, "whitespace") {
			body = []byte("[ " + strings.Join(items, " ,\n ") + " ]")
		}
		want := findingList(s.CheckResponseUncached(req, 200, header, body))
		got := findingList(s.CheckResponse(req, 200, header, body))
		if !slices.Equal(got, want) {
			t.Fatalf("page %s\nitem by item: %q\nwhole body:   %q", body, got, want)
		}
	})
}

// A body that is not an array, or not JSON, is judged whole as before.
func TestItemByItemLeavesOtherBodiesWhole(t *testing.T) {
	s := mustLoad(t, target)
	req := request(t, http.MethodGet, target+"/eos/access")
	header := jsonHeader("X-Total-Count", "1", "Link", link)
	for _, body := range []string{access, `null`, `{"items":[]}`, `"x"`, `[` + access + `] [`} {
		want := findingList(s.CheckResponseUncached(req, 200, header, []byte(body)))
		got := findingList(s.CheckResponse(req, 200, header, []byte(body)))
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("body %s: got %q, want %q (not empty)", body, got, want)
		}
	}
}

// An array schema with a constraint of its own (here maxItems) is never split into
// items: the constraint is still checked.
func TestConstrainedArrayIsJudgedWhole(t *testing.T) {
	const list = "              schema:\n                type: array\n                items:\n                  $ref: '#/components/schemas/RealizingResource'\n"
	doc := string(spec.DefaultDocument())
	if strings.Count(doc, list) != 1 {
		t.Fatalf("the embedded document's list schema is not where this test expects it:\n%s", list)
	}
	doc = strings.Replace(doc, list, list+"                maxItems: 2\n", 1)
	s, err := spec.Load([]byte(doc), target)
	if err != nil {
		t.Fatal(err)
	}
	req := request(t, http.MethodGet, target+"/eos/access")
	header := jsonHeader("X-Total-Count", "3", "Link", link)
	for _, n := range []int{2, 3} {
		body := []byte("[" + strings.Repeat(access+",", n-1) + access + "]")
		res := s.CheckResponse(req, 200, header, body)
		if got := len(res.Findings) > 0; got != (n > 2) {
			t.Errorf("%d items in a list of at most two: findings %q", n, findingList(res))
		}
	}
}

// ValidJSON is set only when the body was checked as JSON and parsed, remembered or not.
func TestValidJSONIsReported(t *testing.T) {
	s := mustLoad(t, target)
	req := request(t, http.MethodGet, target+"/eos/access/eos_1954829761")
	for _, c := range []struct {
		body string
		want bool
	}{{access, true}, {`{"id":`, false}, {access + ` x`, false}} {
		for i := range 2 { // the second call is remembered
			if got := s.CheckResponse(req, 200, jsonHeader(), []byte(c.body)).ValidJSON; got != c.want {
				t.Errorf("call %d, body %q: ValidJSON %v, want %v", i+1, c.body, got, c.want)
			}
		}
	}
	if s.CheckResponse(req, 200, http.Header{"Content-Type": {"text/plain"}}, []byte(access)).ValidJSON {
		t.Error("a text/plain answer (not a documented media type) is reported as checked JSON")
	}
}
