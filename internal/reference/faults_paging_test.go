package reference

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/accessctk/accessctk/fuzz/filter"
)

// listIDs is one list page's ids and its headers.
func listIDs(t *testing.T, s *Server, target string) ([]string, http.Header) {
	t.Helper()
	w := get(t, s, target)
	wantStatus(t, w, http.StatusOK)
	var ids []string
	for _, r := range decode[[]resource](t, w) {
		ids = append(ids, r.ID)
	}
	return ids, w.Header()
}

// pageOf reads the pageNumber a Link URL names.
func pageOf(t *testing.T, link string) int {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(u.Query().Get("pageNumber"))
	if err != nil {
		t.Fatalf("link %q: %v", link, err)
	}
	return n
}

// pagingFaultChecks are the behaviour tests of the paging faults, for
// TestFaultsChangeBehaviour.
func pagingFaultChecks() map[string]func(t *testing.T, s *Server, faulty bool) {
	c100 := "/eos/access?filter=" + filter.Encode("contractId=C100")
	return map[string]func(t *testing.T, s *Server, faulty bool){
		faultPagingTotalIgnoresFilter: func(t *testing.T, s *Server, faulty bool) {
			ids, h := listIDs(t, s, c100+"&pageSize=1000")
			all := len(allRecords(t, s, primaryID))
			if got := h.Get("X-Total-Count"); (got == strconv.Itoa(all)) != faulty || (got == strconv.Itoa(len(ids))) == faulty {
				t.Errorf("X-Total-Count %s with %d matching of %d", got, len(ids), all)
			}
		},
		faultPagingTotalOffByOne: func(t *testing.T, s *Server, faulty bool) {
			ids, h := listIDs(t, s, "/eos/access?pageSize=1000")
			want := len(ids)
			if faulty {
				want++
			}
			if got := h.Get("X-Total-Count"); got != strconv.Itoa(want) {
				t.Errorf("X-Total-Count %s, want %d", got, want)
			}
		},
		faultPagingNextOnLast: func(t *testing.T, s *Server, faulty bool) {
			_, h := listIDs(t, s, "/eos/access?pageSize=1000")
			if _, has := parseLinks(t, h.Get("Link"))["next"]; has != faulty {
				t.Errorf("next on the only page: %v", has)
			}
		},
		faultPagingLinksDropFilter: func(t *testing.T, s *Server, faulty bool) {
			_, h := listIDs(t, s, c100+"&pageSize=1")
			for rel, link := range parseLinks(t, h.Get("Link")) {
				if strings.Contains(link, "filter=") == faulty {
					t.Errorf("rel=%s %s", rel, link)
				}
			}
		},
		faultPagingPagesOverlap: func(t *testing.T, s *Server, faulty bool) {
			p1, _ := listIDs(t, s, "/eos/access?pageSize=5")
			p2, _ := listIDs(t, s, "/eos/access?pageSize=5&pageNumber=2")
			if (p2[0] == p1[4]) != faulty || len(p2) != 5 {
				t.Errorf("page 1 %v, page 2 %v", p1, p2)
			}
		},
		faultPagingSkipsOne: func(t *testing.T, s *Server, faulty bool) {
			all, _ := listIDs(t, s, "/eos/access?pageSize=1000")
			p2, _ := listIDs(t, s, "/eos/access?pageSize=5&pageNumber=2")
			want := all[5]
			if faulty {
				want = all[6]
			}
			if p2[0] != want {
				t.Errorf("page 2 starts with %s, want %s", p2[0], want)
			}
		},
		faultPagingLastFloor: func(t *testing.T, s *Server, faulty bool) {
			all, h := listIDs(t, s, "/eos/access?pageSize=7")
			total, _ := strconv.Atoi(h.Get("X-Total-Count"))
			if total%7 == 0 {
				t.Fatalf("total %d is a multiple of 7: floor and ceil agree", total)
			}
			want := (total + 6) / 7
			if faulty {
				want = total / 7
			}
			if got := pageOf(t, parseLinks(t, h.Get("Link"))["last"]); got != want {
				t.Errorf("last names page %d, want %d (total %d, %d on page 1)", got, want, total, len(all))
			}
		},
		faultPagingNoFirstLink: func(t *testing.T, s *Server, faulty bool) {
			_, h := listIDs(t, s, "/eos/access?pageSize=5&pageNumber=2")
			if _, has := parseLinks(t, h.Get("Link"))["first"]; has == faulty {
				t.Errorf("rel=first present: %v", has)
			}
		},
		faultPagingBodyObject: func(t *testing.T, s *Server, faulty bool) {
			w := get(t, s, "/eos/access?pageSize=5")
			wantStatus(t, w, http.StatusOK)
			if strings.HasPrefix(w.Body.String(), "{") != faulty {
				t.Errorf("body %s", excerpt(w.Body.String()))
			}
		},
		faultPagingNumberIgnored: func(t *testing.T, s *Server, faulty bool) {
			p1, _ := listIDs(t, s, "/eos/access?pageSize=5")
			p2, _ := listIDs(t, s, "/eos/access?pageSize=5&pageNumber=2")
			if slices.Equal(p1, p2) != faulty {
				t.Errorf("page 1 %v, page 2 %v", p1, p2)
			}
		},
		faultPagingSizePlusOne: func(t *testing.T, s *Server, faulty bool) {
			ids, h := listIDs(t, s, "/eos/access?pageSize=5")
			want := 5
			if faulty {
				want = 6
			}
			if len(ids) != want || !strings.Contains(h.Get("Link"), "pageSize=5>") {
				t.Errorf("%d items, links %s", len(ids), h.Get("Link"))
			}
		},
		faultPagingEmpty404: func(t *testing.T, s *Server, faulty bool) {
			want := http.StatusOK
			if faulty {
				want = http.StatusNotFound
			}
			wantStatus(t, get(t, s, "/eos/access?filter="+filter.Encode("contractId=no-such-contract")), want)
			wantStatus(t, get(t, s, c100), http.StatusOK)
		},
	}
}
