package linkheader

import "testing"

// BenchmarkParse parses the Link header of a middle page of a filtered walk, as the
// reference server sends it: four links whose targets carry an encoded filter.
func BenchmarkParse(b *testing.B) {
	const q = "filter=startDateTime%3E%3D2024-03-01T00%3A00%3A00Z%26name%3DRover%2012%3BcontractId%3D1200035908&pageSize=7"
	header := `<http://127.0.0.1:4321/eos/access?` + q + `&pageNumber=1>; rel="first", ` +
		`<http://127.0.0.1:4321/eos/access?` + q + `&pageNumber=3>; rel="prev", ` +
		`<http://127.0.0.1:4321/eos/access?` + q + `&pageNumber=5>; rel="next", ` +
		`<http://127.0.0.1:4321/eos/access?` + q + `&pageNumber=76>; rel="last"`
	b.ReportAllocs()
	b.SetBytes(int64(len(header)))
	for b.Loop() {
		ls, err := Parse(header)
		if err != nil || len(ls) != 4 {
			b.Fatalf("%d links, %v", len(ls), err)
		}
	}
}
