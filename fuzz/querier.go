package fuzz

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/fuzz/filter"
	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/internal/walker"
)

// DefaultPageSize is the page size the properties ask for: one page holds a
// typical filtered answer, so most checks cost one request. A server with a smaller
// maximum clamps it and the walk follows rel="next".
const DefaultPageSize = 1000

// Query is one list request: a filter expression, in its readable form, walked over
// all its pages.
type Query struct {
	// Filter is the expression's readable text; the Querier encodes it. It may be
	// malformed: the robustness property sends such texts on purpose.
	Filter string
	// Unfiltered sends no filter parameter at all (the snapshot's walk).
	Unfiltered bool
	// Items keeps the returned fields of every item (the snapshot needs them).
	Items bool
	// MaxItems, with Items, stops the walk with ErrTooLarge past this many items
	// (0: no bound).
	MaxItems int
}

// Answer is what the target answered to a Query over all its pages.
type Answer struct {
	// Status is the first page's status, 0 when no response arrived.
	Status int
	// IDs are the distinct ids the walk visited, in order (200 only).
	IDs []string
	// Items are the visited accesses' returned fields, with Query.Items.
	Items []Access
	// Total is the first page's X-Total-Count, -1 when missing or malformed.
	Total int64
	// Complete says the walk reached the last page.
	Complete bool
	// Findings are paging rules the walk saw broken (on a 200 answer).
	Findings []Finding
	// Exchange is the first page's redacted exchange, as evidence.
	Exchange *target.Exchange
	// Requests counts the requests sent; Wait is the time spent in them (the
	// client's round trips, including reading the body).
	Requests int
	Wait     time.Duration
}

// Finding is a rule a walk saw broken outside the property itself (paging).
type Finding struct {
	Requirement string
	Level       verdict.Level
	Message     string
	Exchange    *target.Exchange
}

// Querier answers list queries; the properties know the target only through it.
type Querier interface {
	Query(ctx context.Context, q Query) (*Answer, error)
}

// Doer sends one request: *target.Client is one.
type Doer interface {
	Do(ctx context.Context, r target.Request) (*target.Response, error)
}

// ClientQuerier walks a tenant's list with the paging walker (package walker) over a
// target client: it follows rel="next" from page 1, and the paging rules the walker
// sees broken on a 200 answer come back as Findings. A first page that is not 200
// is the properties' to judge (a malformed filter may well get a 400), so then the
// walker's findings are dropped.
type ClientQuerier struct {
	Client Doer
	Token  target.Token
	Tenant string
	// PageSize is requested on page 1; 0 means DefaultPageSize.
	PageSize int
	// MaxPageSize is the server's documented largest page (the fixtures'), 0 when
	// unknown.
	MaxPageSize int
	// Raw sends the expression unencoded, as the page's example does (SAM-FL-09).
	Raw bool
}

// FilterParam is the query component that carries text: percent-encoded as one
// parameter (the catalogue's form), or raw (the page's form), where only what
// cannot stand in a URL or would change its meaning is escaped: "%", "#", "+",
// spaces, control characters and non-ASCII bytes. "&", ";" and "=" stay as they are.
func FilterParam(text string, raw bool) string {
	if !raw {
		return "filter=" + filter.Encode(text)
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.WriteString("filter=")
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c <= ' ' || c >= 0x7F || c == '%' || c == '#' || c == '+' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Query walks the list for q.
func (c *ClientQuerier) Query(ctx context.Context, q Query) (*Answer, error) {
	a := &Answer{Total: -1}
	timed := walker.DoerFunc(func(ctx context.Context, r target.Request) (*target.Response, error) {
		start := time.Now()
		resp, err := c.Client.Do(ctx, r)
		a.Wait += time.Since(start)
		a.Requests++
		return resp, err
	})
	size := c.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	cfg := walker.Config{Client: timed, Token: c.Token, Path: "/" + url.PathEscape(c.Tenant) + "/access", PageSize: size, MaxPageSize: c.MaxPageSize}
	if !q.Unfiltered {
		cfg.Filter = FilterParam(q.Filter, c.Raw)
	}
	if q.Items {
		cfg.OnItem = func(item gjson.Result) error {
			if q.MaxItems > 0 && len(a.Items) >= q.MaxItems {
				return ErrTooLarge
			}
			a.Items = append(a.Items, AccessOf(item))
			return nil
		}
	}
	res, err := walker.Run(ctx, cfg)
	if res != nil {
		a.Total, a.Complete, a.Exchange = res.Total, res.Complete, res.First
		if res.First != nil {
			a.Status = res.First.Status
		}
		if res.IDs != nil {
			a.IDs = res.IDs.Sorted()
		}
		if a.Status == http.StatusOK {
			for _, f := range res.Findings {
				a.Findings = append(a.Findings, Finding{Requirement: f.Requirement, Level: f.Level, Message: f.Message, Exchange: f.Exchange})
			}
		}
	}
	if err != nil {
		return a, fmt.Errorf("walking the list: %w", err)
	}
	return a, nil
}

// Access is one access as a list returns it: its id and the filterable fields it
// carries (an absent or null field is missing from Fields).
type Access struct {
	ID     string
	Fields map[string]string
}

// AccessOf reads an access from a list item.
func AccessOf(item gjson.Result) Access {
	// Clones: a string gjson cuts from a page shares the whole page's memory.
	a := Access{ID: strings.Clone(item.Get("id").String()), Fields: map[string]string{}}
	for _, f := range filter.Fields {
		if !f.Returned {
			continue
		}
		v := item.Get(f.Name)
		if v.Exists() && v.Type != gjson.Null {
			a.Fields[f.Name] = strings.Clone(v.String())
		}
	}
	return a
}

// Record gives the oracle the access's fields.
func (a Access) Record() filter.Record { return filter.MapRecord(a.Fields) }
