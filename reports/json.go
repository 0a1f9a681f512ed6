package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/accessctk/accessctk/internal/verdict"
)

//go:embed results.schema.json
var resultsSchema []byte

// ResultsSchema returns the JSON Schema of results.json (version verdict.SchemaVersion).
func ResultsSchema() []byte { return bytes.Clone(resultsSchema) }

// ResultsSchemaID is the schema's $id.
const ResultsSchemaID = "https://accessctk.dev/schemas/results/v1.json"

var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(resultsSchema))
	if err != nil {
		return nil, fmt.Errorf("results schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(ResultsSchemaID, doc); err != nil {
		return nil, fmt.Errorf("results schema: %w", err)
	}
	return c.Compile(ResultsSchemaID)
})

// ValidateResultsJSON checks a results.json document against the schema.
func ValidateResultsJSON(data []byte) error {
	sch, err := compiledSchema()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("does not match the results schema: %s", firstCause(ve))
		}
		return err
	}
	return nil
}

// firstCause names the deepest first violation, which is the useful one.
func firstCause(ve *jsonschema.ValidationError) string {
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	loc := "/" + strings.Join(ve.InstanceLocation, "/")
	return fmt.Sprintf("at %s: %s", loc, strings.Join(strings.Fields(ve.ErrorKind.LocalizedString(message.NewPrinter(language.English))), " "))
}

// WriteJSON writes results.json: the results, indented, with empty lists as [] so
// the record matches its schema.
func WriteJSON(w io.Writer, r *verdict.Results) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(normalised(r))
}

func normalised(r *verdict.Results) *verdict.Results {
	c := *r
	c.Interpretations = orEmpty(c.Interpretations)
	if c.Requirements == nil {
		c.Requirements = []verdict.RequirementResult{}
	}
	c.Scenarios = make([]verdict.Scenario, len(r.Scenarios))
	for i, s := range r.Scenarios {
		s.Tags = orEmpty(s.Tags)
		s.Requirements = orEmpty(s.Requirements)
		c.Scenarios[i] = s
	}
	if r.Baseline != nil {
		b := *r.Baseline
		if b.Requirements == nil {
			b.Requirements = []verdict.RequirementChange{}
		}
		if b.Counts == nil {
			b.Counts = map[verdict.Change]int{}
		}
		c.Baseline = &b
	}
	return &c
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ReadResults reads a results.json, checking it against the schema first, so a
// wrong or truncated file is named as such rather than misread.
func ReadResults(data []byte) (*verdict.Results, error) {
	var head struct {
		SchemaVersion string `json:"schemaVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not a results.json: %w", err)
	}
	if !slices.Contains(verdict.ReadableSchemaVersions(), head.SchemaVersion) {
		return nil, fmt.Errorf("results schema version %q, this accessctk reads versions %s", head.SchemaVersion, strings.Join(verdict.ReadableSchemaVersions(), ", "))
	}
	if err := ValidateResultsJSON(data); err != nil {
		return nil, err
	}
	var r verdict.Results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	correctPartialCertificate(&r)
	return &r, nil
}

// correctPartialCertificate reads a record an earlier accessctk wrote, which called a
// run CONFORMANT although its scope or selection left MUST rules unjudged, with the
// verdict that run gets now: re-rendering, diffing or merging it must not turn a
// partial run into a certificate.
func correctPartialCertificate(r *verdict.Results) {
	if r.Overall != verdict.Conformant || verdict.OverallOf(r.Requirements) != verdict.PassedPartial {
		return
	}
	r.Overall = verdict.PassedPartial
	r.Notes = append(r.Notes, "recorded as CONFORMANT by an accessctk that did not yet tell a partial run from a certification: MUST rules were not judged, so the verdict is PASSED-PARTIAL")
}

// ReadResultsFile reads a results.json file.
func ReadResultsFile(path string) (*verdict.Results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	r, err := ReadResults(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}
