package filter_test

import (
	"errors"
	"net/url"
	"reflect"
	"testing"

	"github.com/accessctk/accessctk/fuzz/filter"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want filter.Expr
	}{
		{"", filter.Expr{}},
		{"contractId=1200035908&productOfferingId=PRP_SKYRTK_EU_12", filter.Expr{{
			{Field: "contractId", Op: filter.Eq, Value: "1200035908"},
			{Field: "productOfferingId", Op: filter.Eq, Value: "PRP_SKYRTK_EU_12"},
		}}},
		{"a=1;b=2&c=3", filter.Expr{{{Field: "a", Op: filter.Eq, Value: "1"}}, {{Field: "b", Op: filter.Eq, Value: "2"}, {Field: "c", Op: filter.Eq, Value: "3"}}}},
		{"createdAt>=2024-01-01T00:00:00Z", filter.Expr{{{Field: "createdAt", Op: filter.Ge, Value: "2024-01-01T00:00:00Z"}}}},
		{"createdAt<=x", filter.Expr{{{Field: "createdAt", Op: filter.Le, Value: "x"}}}},
		{"createdAt>x", filter.Expr{{{Field: "createdAt", Op: filter.Gt, Value: "x"}}}},
		{"createdAt<x", filter.Expr{{{Field: "createdAt", Op: filter.Lt, Value: "x"}}}},
		{"name==x", filter.Expr{{{Field: "name", Op: filter.Eq, Value: "=x"}}}},
		{"name=", filter.Expr{{{Field: "name", Op: filter.Eq, Value: ""}}}},
	}
	for _, c := range cases {
		got, err := filter.Parse(c.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.in, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Parse(%q) = %#v, want %#v", c.in, got, c.want)
		}
		if got.String() != c.in {
			t.Errorf("Parse(%q).String() = %q, does not round-trip", c.in, got.String())
		}
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	for _, in := range []string{"contractId", "=x", "a=1&", ";a=1", "a=1;;b=2", "&"} {
		if _, err := filter.Parse(in); !errors.Is(err, filter.ErrSyntax) {
			t.Errorf("Parse(%q) error = %v, want ErrSyntax", in, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, in := range []string{"contractId>5", "name<=a", "createdAt>yesterday", "endDateTime=2024-13-01T00:00:00Z"} {
		e, err := filter.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Validate(); !errors.Is(err, filter.ErrUnsupported) {
			t.Errorf("Validate(%q) = %v, want ErrUnsupported", in, err)
		}
	}
	for _, in := range []string{"unknown>5", "startDateTime>=2024-01-01T10:00:00+02:00", "contractId=%_*"} {
		e, _ := filter.Parse(in)
		if err := e.Validate(); err != nil {
			t.Errorf("Validate(%q) = %v, want nil", in, err)
		}
	}
}

func TestEncodeRoundTripsThroughURLDecoding(t *testing.T) {
	in := "name=a b+c&contractId=x%y;username=é€😀'\"\\=<>#?/"
	q, err := url.ParseQuery(filter.Expr{{{Field: "f", Op: filter.Eq, Value: in}}}.QueryParam())
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Get("filter"); got != "f="+in {
		t.Errorf("decoded %q, want %q", got, "f="+in)
	}
	if len(q) != 1 {
		t.Errorf("encoded filter split into %d parameters", len(q))
	}
}

func TestMatch(t *testing.T) {
	acc := filter.MapRecord(map[string]string{
		"contractId":    "C1",
		"name":          "Ünïcode 'x'",
		"startDateTime": "2024-03-01T12:00:00+02:00",
		"createdAt":     "2024-03-01T10:00:00Z",
	})
	cases := []struct {
		expr string
		want bool
	}{
		{"", true},
		{"contractId=C1", true},
		{"contractId=c1", false},
		{"contractId=C", false},
		{"contractId=C%", false},
		{"name=Ünïcode 'x'", true},
		{"startDateTime=2024-03-01T10:00:00Z", true},
		{"startDateTime=2024-03-01t10:00:00z", true},
		{"startDateTime>2024-03-01T10:00:00Z", false},
		{"startDateTime>=2024-03-01T10:00:00Z", true},
		{"startDateTime<2024-03-01T10:00:01Z", true},
		{"startDateTime<=2024-03-01T09:59:59Z", false},
		{"endDateTime<2100-01-01T00:00:00Z", false},
		{"endDateTime>1900-01-01T00:00:00Z", false},
		{"contractId=X;contractId=C1", true},
		{"contractId=X&contractId=C1", false},
		{"contractId=C1&unknown=zzz", true},
		{"unknown=zzz", true},
		{"contractId=X&name=Ünïcode 'x';contractId=C1&createdAt=2024-03-01T12:00:00+02:00", true},
	}
	for _, c := range cases {
		e, err := filter.Parse(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.Match(acc)
		if err != nil {
			t.Fatalf("Match(%q): %v", c.expr, err)
		}
		if got != c.want {
			t.Errorf("Match(%q) = %v, want %v", c.expr, got, c.want)
		}
	}
}

func FuzzParsePrintRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a=1", "a>=1&b<2;c=", "name==x", "x<=>=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := filter.Parse(s)
		if err != nil {
			return
		}
		if e.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, e.String())
		}
		again, err := filter.Parse(e.String())
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Fatalf("reparse of %q: %v %#v", s, err, again)
		}
	})
}
