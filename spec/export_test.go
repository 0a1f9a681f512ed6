package spec

import "net/http"

// CheckResponseUncached validates without the memo: benchmarks measure the
// validation itself with it, and tests compare it with CheckResponse.
func (s *Spec) CheckResponseUncached(req *http.Request, status int, header http.Header, body []byte) Result {
	return s.checkResponse(req, status, header, body, 0)
}

// CheckResponseItemsRemembered uses only the memo of array items: each call judges
// its page anew, reusing what is known of the items.
func (s *Spec) CheckResponseItemsRemembered(req *http.Request, status int, header http.Header, body []byte) Result {
	return s.checkResponse(req, status, header, body, memoItems)
}

// MemoLen is the number of remembered results.
func (s *Spec) MemoLen() int {
	return s.memo.results.Len()
}

// MemoEntries is the bound on remembered results.
const MemoEntries = memoEntries
