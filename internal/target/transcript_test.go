package target

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// The client's own transcript is bounded, so long walks do not hold every page.
func TestTranscriptKeepsOnlyTheMostRecentExchanges(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`[]`))
	}))
	defer ts.Close()
	base, _ := url.Parse(ts.URL)
	c, err := New(Config{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	const sent = transcriptKeep + 100
	for i := 0; i < sent; i++ {
		if _, err := c.Do(context.Background(), Request{Path: "/x"}); err != nil {
			t.Fatal(err)
		}
	}
	got := c.Transcript()
	if len(got) != transcriptKeep {
		t.Fatalf("transcript holds %d exchanges, want the last %d", len(got), transcriptKeep)
	}
	if first, last := got[0].Seq, got[len(got)-1].Seq; last != sent || first != sent-transcriptKeep+1 {
		t.Fatalf("transcript spans seq %d..%d, want %d..%d", first, last, sent-transcriptKeep+1, sent)
	}
	if cap(c.log) > 2*transcriptKeep+1 {
		t.Fatalf("backing array grew to %d", cap(c.log))
	}
}
