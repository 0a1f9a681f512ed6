package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/bounded"
)

// Finding is one way a response departs from its operation's description.
type Finding struct {
	// Where locates it: "status", "header <Name>" (Content-Type included),
	// or "body" followed by a JSON pointer (RFC 6901) to the offending value,
	// e.g. "body/0/status"; "body" alone is the whole body.
	Where string
	// Message says what is wrong. It never quotes a body value (a PATCH
	// response may carry a password), so it is safe to print.
	Message string
}

// Result is the verdict of one CheckResponse.
type Result struct {
	// Checked is false when there was nothing to check: no documented
	// operation for the request, a HEAD, a status kin-openapi never
	// validates, or a documented response with no schema and no headers.
	// Not checked is not valid: callers must not count it as a pass.
	Checked bool
	// Operation is the operationId (or "METHOD /path" without one); empty
	// when no route matched.
	Operation string
	// Reason says why Checked is false.
	Reason string
	// Findings is empty when the response matches its description.
	Findings []Finding
	// ValidJSON says the body was checked against a JSON media type and is valid
	// JSON, so a caller need not parse it again to know.
	ValidJSON bool
}

// Route returns the operationId (or "METHOD /path" when the operation has
// none) that req resolves to.
func (s *Spec) Route(req *http.Request) (operationID string, ok bool) {
	route, _, err := s.router.FindRoute(req)
	if err != nil {
		return "", false
	}
	return operationName(route), true
}

// CheckResponse checks a response to req against the operation req resolves
// to: its status is documented, every documented required header is present
// and every documented header that is present validates, the media type is
// documented and the body validates against its schema. Only the response
// is judged: an invalid request (the harness sends them on purpose) does not
// affect the result. req's body is not read.
//
// Results are remembered (see memo): the same answer to the same operation is
// validated once.
func (s *Spec) CheckResponse(req *http.Request, status int, header http.Header, body []byte) Result {
	return s.checkResponse(req, status, header, body, memoWhole|memoItems)
}

// memoUse says which remembered results a check may use.
type memoUse int

const (
	memoWhole memoUse = 1 << iota // whole responses
	memoItems                     // single items of array bodies
)

func (s *Spec) checkResponse(req *http.Request, status int, header http.Header, body []byte, use memoUse) Result {
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return Result{Reason: fmt.Sprintf("no documented operation for %s %s: %v", req.Method, req.URL.EscapedPath(), err)}
	}
	res := Result{Operation: operationName(route)}
	if req.Method == http.MethodHead {
		res.Reason = "a HEAD response has no body to check"
		return res
	}
	ref := route.Operation.Responses.Status(status)
	if ref == nil {
		ref = route.Operation.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		res.Checked = true
		res.Findings = []Finding{{
			Where:   "status",
			Message: fmt.Sprintf("status %d is not documented for %s (documented: %s)", status, res.Operation, strings.Join(route.Operation.Responses.Keys(), ", ")),
		}}
		return res
	}
	if skippedByValidator(status) {
		res.Reason = fmt.Sprintf("kin-openapi does not validate status %d", status)
		return res
	}
	var k memoKey
	remember := use&memoWhole != 0
	if remember {
		k = key(route.Operation, status, ref.Value, header, body)
		if cached, ok := s.memo.get(k); ok {
			return cached
		}
	}
	c := check{
		in: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      route,
			Options: &openapi3filter.Options{
				SkipSettingDefaults: true,
				AuthenticationFunc:  acceptAnyAuth,
			},
		},
		schemaOpts: s.schemaOpts,
		status:     status,
		header:     header,
	}
	if use&memoItems != 0 {
		c.items = s.memo.items
	}
	response := ref.Value
	c.headers(response)
	c.body(response, body)
	res.Checked = c.checked || len(c.findings) > 0
	res.Findings = c.findings
	res.ValidJSON = c.validJSON
	if !res.Checked {
		res.Reason = fmt.Sprintf("the documented response for status %d has no schema and no headers", status)
	}
	if remember {
		s.memo.put(k, res)
	}
	return res
}

// acceptAnyAuth accepts every security requirement: the harness judges the
// target's responses, and its own requests' credentials are not in question.
func acceptAnyAuth(context.Context, *openapi3filter.AuthenticationInput) error { return nil }

// skippedByValidator lists the statuses openapi3filter.ValidateResponse
// returns nil for without looking at anything.
func skippedByValidator(status int) bool {
	switch status {
	case http.StatusNotModified, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusMovedPermanently:
		return true
	}
	return false
}

func operationName(route *routers.Route) string {
	if id := route.Operation.OperationID; id != "" {
		return id
	}
	return route.Method + " " + route.Path
}

// check carries one CheckResponse. ValidateResponse stops at the first bad
// header and then skips the body, so each header and the body are validated
// on their own, each against a one-response operation built for the call
// (the loaded document is never modified).
type check struct {
	in         *openapi3filter.RequestValidationInput
	schemaOpts []openapi3.SchemaValidationOption
	status     int
	header     http.Header
	// items, when set, remembers the findings of each item of an array body.
	items     *bounded.Map[itemMemoKey, []Finding]
	checked   bool
	validJSON bool
	findings  []Finding
}

func (c *check) headers(response *openapi3.Response) {
	names := make([]string, 0, len(response.Headers))
	for name := range response.Headers {
		// OpenAPI says a Content-Type header definition is ignored.
		if !strings.EqualFold(name, "Content-Type") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		ref := response.Headers[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		where := "header " + name
		if len(c.header.Values(name)) == 0 {
			if ref.Value.Required {
				c.checked = true
				c.add(where, "required header is missing")
			}
			continue
		}
		c.checked = true
		only := &openapi3.Response{Headers: openapi3.Headers{name: ref}}
		err := c.validate(only, nil, true)
		c.addAll(where, err)
	}
}

func (c *check) body(response *openapi3.Response, body []byte) {
	if len(response.Content) == 0 {
		return
	}
	contentType := c.header.Get("Content-Type")
	media := response.Content.Get(contentType)
	if media == nil {
		c.checked = true
		got := fmt.Sprintf("%q is not", contentType)
		if contentType == "" {
			got = "missing; it is not"
		}
		c.add("header Content-Type", fmt.Sprintf("%s a documented media type for status %d (documented: %s)", got, c.status, strings.Join(mediaTypes(response.Content), ", ")))
		return
	}
	if media.Schema == nil {
		return
	}
	c.checked = true
	// kin-openapi's JSON decoder reads the first value only, so trailing
	// garbage would pass; and an empty body deserves a plain message.
	if isJSON(contentType) {
		if !json.Valid(body) {
			c.add("body", "not valid JSON: "+jsonSyntaxError(body))
			return
		}
		c.validJSON = true
	}
	start := len(c.findings)
	if !c.itemByItem(response, contentType, media, body) {
		bodyOnly := *response
		bodyOnly.Headers = nil
		c.addAll("body", c.validate(&bodyOnly, body, false))
	}
	added := c.findings[start:]
	slices.SortStableFunc(added, func(a, b Finding) int { return strings.Compare(a.Where, b.Where) })
}

// itemByItem validates a JSON array body one item at a time, each item's findings
// remembered on their own, and reports whether it did. A suite walks the same
// accesses over and over in pages of different sizes, filters and orders: the pages
// differ, their items mostly do not. It only applies when the body schema is an
// array whose sole constraint is its items schema, so the items' findings are the
// array's findings, each under its index; any other body takes the whole path.
func (c *check) itemByItem(response *openapi3.Response, contentType string, media *openapi3.MediaType, body []byte) bool {
	if c.items == nil || !isJSON(contentType) {
		return false
	}
	items := plainArrayItems(media.Schema)
	if items == nil {
		return false
	}
	parsed := gjson.ParseBytes(body)
	if !parsed.IsArray() {
		return false
	}
	var itemOnly *openapi3.Response
	i := 0
	parsed.ForEach(func(_, item gjson.Result) bool {
		k := itemKey(items, contentType, item.Raw)
		found, ok := c.items.Get(k)
		if !ok {
			if itemOnly == nil {
				itemOnly = &openapi3.Response{Content: openapi3.Content{}}
				for name, m := range response.Content {
					if m == media {
						itemOnly.Content[name] = &openapi3.MediaType{Schema: items}
					}
				}
			}
			sub := check{in: c.in, schemaOpts: c.schemaOpts, status: c.status, header: c.header}
			sub.addAll("body", sub.validate(itemOnly, []byte(item.Raw), false))
			found = sub.findings
			c.items.Put(k, found)
		}
		for _, f := range found {
			f.Where = "body/" + strconv.Itoa(i) + strings.TrimPrefix(f.Where, "body")
			c.findings = append(c.findings, f)
		}
		i++
		return true
	})
	return true
}

// plainArrayItems returns the items schema of s when s is an array schema with no
// constraint but its items (annotations aside), else nil.
func plainArrayItems(s *openapi3.SchemaRef) *openapi3.SchemaRef {
	if s == nil || s.Value == nil || s.Value.Items == nil || s.Value.Items.Value == nil {
		return nil
	}
	if t := s.Value.Type; t == nil || len(*t) != 1 || !t.Is(openapi3.TypeArray) {
		return nil
	}
	rest := *s.Value
	rest.Type, rest.Items = nil, nil
	if !rest.IsEmpty() {
		return nil
	}
	return s.Value.Items
}

// validate runs openapi3filter.ValidateResponse against an operation that
// documents only response, as the default response.
func (c *check) validate(response *openapi3.Response, body []byte, headersOnly bool) error {
	route := *c.in.Route
	route.Operation = &openapi3.Operation{
		OperationID: route.Operation.OperationID,
		Responses:   openapi3.NewResponses(openapi3.WithName("default", response)),
	}
	in := *c.in
	in.Route = &route
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &in,
		Status:                 c.status,
		Header:                 c.header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus:   true,
			MultiError:              true,
			ExcludeResponseBody:     headersOnly,
			SchemaValidationOptions: c.schemaOpts,
		},
	})
}

func (c *check) add(where, message string) {
	c.findings = append(c.findings, Finding{Where: where, Message: message})
}

// addAll turns err into findings under where: each schema error becomes
// one finding located by its JSON pointer (body only: a header is a single
// value).
func (c *check) addAll(where string, err error) {
	switch e := err.(type) {
	case nil:
	case openapi3.MultiError:
		for _, inner := range e {
			c.addAll(where, inner)
		}
	case *openapi3.SchemaError:
		at := where
		if where == "body" {
			at += jsonPointer(e.JSONPointer())
		}
		// Reason, not Error(): Error() quotes the value and the schema.
		msg := e.Reason
		if msg == "" {
			msg = fmt.Sprintf("does not satisfy the schema keyword %q", e.SchemaField)
		}
		c.add(at, msg)
	case *openapi3filter.ResponseError:
		if e.Err == nil {
			c.add(where, e.Reason)
			return
		}
		if containsSchemaError(e.Err) {
			c.addAll(where, e.Err)
			return
		}
		if where != "body" {
			// A header's decoding error: Reason only repeats the header name.
			c.add(where, "invalid value: "+e.Err.Error())
			return
		}
		c.add(where, e.Reason+": "+e.Err.Error())
	default:
		c.add(where, err.Error())
	}
}

func containsSchemaError(err error) bool {
	switch e := err.(type) {
	case *openapi3.SchemaError:
		return true
	case openapi3.MultiError:
		return slices.ContainsFunc(e, containsSchemaError)
	}
	return false
}

// jsonPointer renders tokens as an RFC 6901 pointer ("" for the root).
func jsonPointer(tokens []string) string {
	var b strings.Builder
	escape := strings.NewReplacer("~", "~0", "/", "~1")
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escape.Replace(t))
	}
	return b.String()
}

func mediaTypes(content openapi3.Content) []string {
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func isJSON(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// jsonSyntaxError describes why body is not JSON, without quoting it.
func jsonSyntaxError(body []byte) string {
	var v any
	err := json.Unmarshal(body, &v)
	if err == nil {
		return "unknown error"
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Sprintf("%s (at byte %d)", syntax.Error(), syntax.Offset)
	}
	return err.Error()
}
