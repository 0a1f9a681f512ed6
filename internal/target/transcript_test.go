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
	c, err := New(Config{BaseURL: base, KeepTranscript: true})
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

// Large bodies bound the transcript by bytes too, the dropped exchanges are not kept
// alive by the slice's backing array, and Stats still counts every exchange.
func TestTranscriptIsBoundedInBytes(t *testing.T) {
	page := make([]byte, 1<<20)
	for i := range page {
		page[i] = 'a'
	}
	page[0], page[len(page)-1] = '"', '"'
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(page)
	}))
	defer ts.Close()
	base, _ := url.Parse(ts.URL)
	c, err := New(Config{BaseURL: base, KeepTranscript: true})
	if err != nil {
		t.Fatal(err)
	}
	const sent = 40
	for range sent {
		if _, err := c.Do(context.Background(), Request{Path: "/x"}); err != nil {
			t.Fatal(err)
		}
	}
	got := c.Transcript()
	held := 0
	for _, ex := range got {
		held += len(ex.ResponseBody) + len(ex.RequestBody)
	}
	if held > transcriptKeepBytes || len(got) == 0 || got[len(got)-1].Seq != sent {
		t.Fatalf("transcript holds %d exchanges, %d body bytes (bound %d), last seq %d", len(got), held, transcriptKeepBytes, got[len(got)-1].Seq)
	}
	if len(got) < transcriptKeepBytes/len(page)-1 {
		t.Errorf("transcript holds %d exchanges of 1 MiB, want about %d", len(got), transcriptKeepBytes/len(page))
	}
	for i, ex := range c.log[len(c.log):cap(c.log)] {
		if ex != nil {
			t.Fatalf("backing array slot %d past the transcript still holds exchange %d", len(c.log)+i, ex.Seq)
		}
	}
	if n := c.Stats().Exchanges; n != sent {
		t.Errorf("Stats().Exchanges = %d, want every exchange sent (%d)", n, sent)
	}
}

// Without KeepTranscript the client holds no exchange after returning it, and still
// counts every one.
func TestNoTranscriptUnlessAsked(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`[]`))
	}))
	defer ts.Close()
	base, _ := url.Parse(ts.URL)
	c, err := New(Config{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		resp, err := c.Do(context.Background(), Request{Path: "/x"})
		if err != nil || resp.Exchange == nil {
			t.Fatalf("Do: %v, exchange %v", err, resp)
		}
	}
	if got := c.Transcript(); len(got) != 0 || len(c.log) != 0 {
		t.Fatalf("the client kept %d exchanges without KeepTranscript", len(got))
	}
	if n := c.Stats().Exchanges; n != 3 {
		t.Errorf("Stats().Exchanges = %d, want 3", n)
	}
}
