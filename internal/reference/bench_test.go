package reference

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkSeedAndWalk seeds BulkAccesses plain accesses and walks the whole primary
// tenant with pageSize 1000, following next links. It reports the seeding time, the
// walk time and the slowest page. ACCESSCTK_BENCH_BULK overrides the size (e.g.
// 1000000 for the scale target).
func BenchmarkSeedAndWalk(b *testing.B) {
	bulk := 100_000
	if v := os.Getenv("ACCESSCTK_BENCH_BULK"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("ACCESSCTK_BENCH_BULK: %v", err)
		}
		bulk = n
	}
	b.Run(fmt.Sprintf("bulk=%d", bulk), func(b *testing.B) {
		for b.Loop() {
			start := time.Now()
			s := newServer(b, func(o *Options) { o.BulkAccesses = bulk })
			seeded := time.Since(start)
			start = time.Now()
			var slowest time.Duration
			seen, pages := 0, 0
			target := "/eos/access?pageSize=1000"
			for target != "" {
				t0 := time.Now()
				w := get(b, s, target)
				slowest = max(slowest, time.Since(t0))
				seen += len(decode[[]resource](b, w))
				pages++
				target = ""
				if next := parseLinks(b, w.Header().Get("Link"))["next"]; next != "" {
					target = next[len("http://example.com"):]
				}
			}
			walked := time.Since(start)
			if seen < bulk {
				b.Fatalf("walk saw %d accesses, want at least %d", seen, bulk)
			}
			b.ReportMetric(seeded.Seconds(), "seed-s")
			b.ReportMetric(walked.Seconds(), "walk-s")
			b.ReportMetric(float64(slowest.Milliseconds()), "slowest-page-ms")
			b.ReportMetric(float64(pages), "pages")
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
