package reference

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// listQuery is what a list request asks for.
type listQuery struct {
	// filterText is the decoded expression as sent ("" when none), kept whole for the
	// Link header; expr is its parse.
	filterText string
	expr       filter.Expr
	page, size int64
}

var errPaging = errors.New("invalid paging")

// parseListQuery reads pageNumber, pageSize and filter from the raw query string.
//
// The filter is read so that both of the catalogue's forms give the same expression
// (SAM-FL-09): the query is split on "&"; the first "filter=" segment starts the
// expression, and every later segment that is not pageNumber or pageSize is
// appended as "&segment" if it holds an operator (a bare "&debug" is a parameter).
// The encoded form has no raw "&" inside the filter, so for it the appended segments
// are only unknown parameters, which come out as conditions on unknown fields and
// are dropped (SAM-FL-04). Each piece is percent-decoded on its own, so an encoded
// "%26" never splits anything. Other parameters are ignored.
func parseListQuery(raw string, defaultSize, maxSize int64) (listQuery, error) {
	q := listQuery{page: 1, size: defaultSize}
	var pageText, sizeText *string
	var parts []string
	inFilter := false
	for _, seg := range strings.Split(raw, "&") {
		if seg == "" {
			continue
		}
		key, val, hasEq := strings.Cut(seg, "=")
		name, err := url.QueryUnescape(key)
		if err != nil {
			name = "" // an undecodable name is no parameter we know
		}
		switch {
		case name == "pageNumber" || name == "pageSize":
			v, err := url.QueryUnescape(val)
			if err != nil {
				return q, fmt.Errorf("%w: %s is not percent-encoded properly", errPaging, name)
			}
			if name == "pageNumber" && pageText == nil {
				pageText = &v
			} else if name == "pageSize" && sizeText == nil {
				sizeText = &v
			}
		case name == "filter" && hasEq && !inFilter:
			inFilter = true
			v, err := url.QueryUnescape(val)
			if err != nil {
				return q, fmt.Errorf("%w: filter is not percent-encoded properly", filter.ErrSyntax)
			}
			parts = append(parts, v)
		case inFilter:
			v, err := url.QueryUnescape(seg)
			if err != nil {
				return q, fmt.Errorf("%w: filter segment is not percent-encoded properly", filter.ErrSyntax)
			}
			// A segment without an operator is a bare parameter ("&debug"), not a
			// condition: ignored, as unknown parameters are (SAM-FL-04).
			if strings.ContainsAny(v, "<>=") {
				parts = append(parts, v)
			}
		}
	}
	var err error
	if pageText != nil {
		if q.page, err = positive("pageNumber", *pageText); err != nil {
			return q, err
		}
	}
	if sizeText != nil {
		if q.size, err = positive("pageSize", *sizeText); err != nil {
			return q, err
		}
	}
	q.size = min(q.size, maxSize)
	q.filterText = strings.Join(parts, "&")
	if q.expr, err = filter.Parse(q.filterText); err != nil {
		return q, err
	}
	if err := q.expr.Validate(); err != nil {
		return q, err
	}
	return q, nil
}

// positive parses a paging value: a positive decimal integer. One too large for
// int64 saturates (a page past the last, or the maximum page size).
func positive(name, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) && n > 0 {
		return math.MaxInt64, nil
	}
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%w: %s must be a positive integer, got %q", errPaging, name, s)
	}
	return n, nil
}
