package steps

import (
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"pgregory.net/rapid"
)

// The snapshot reads an item's returned fields in one pass exactly as reading each
// by name does: the first member of a name counts, null and absent are absent, and
// members it does not keep are ignored.
func TestSnapshotAddReadsFieldsByName(t *testing.T) {
	fields := returnedFields()
	names := append(slices.Clone(fields), "id", "href", "other")
	rapid.Check(t, func(t *rapid.T) {
		var members []string
		members = append(members, `"id":"a1"`)
		for range rapid.IntRange(0, 12).Draw(t, "members") {
			name := rapid.SampledFrom(names).Draw(t, "name")
			value := rapid.SampledFrom([]string{`"x"`, `"2024-01-01T00:00:00Z"`, `null`, `12`, `true`, `{"a":1}`, `["b"]`, `""`}).Draw(t, "value")
			members = append(members, `"`+name+`":`+value)
		}
		item := gjson.Parse("{" + strings.Join(members, ",") + "}")
		s := newSnapshot()
		if err := s.add(item); err != nil {
			t.Fatal(err)
		}
		r := s.records[0]
		for i, f := range s.fields {
			v := item.Get(f)
			want, wantOK := v.String(), v.Exists() && v.Type != gjson.Null
			if !wantOK {
				want = ""
			}
			if r.present[i] != wantOK || r.values[i] != want {
				t.Fatalf("item %s, field %s: got (%q, %v), want (%q, %v)", item.Raw, f, r.values[i], r.present[i], want, wantOK)
			}
		}
	})
}
