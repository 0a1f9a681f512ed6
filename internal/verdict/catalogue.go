// Package verdict turns what scenarios observed into judgements: the rule catalogue
// (requirement IDs, levels, rule text, interpretations), the result model every report
// writer reads, and the per-requirement and overall verdicts.
package verdict

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// The catalogue is a copy of ../shared/contract/skylark-access.md, kept byte-equal by
// a test, so the binary carries the exact rule text it judges by.
//
//go:embed skylark-access.md
var skylarkCatalogue string

// Level is how binding a requirement is.
type Level string

// The catalogue's levels.
const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
)

// Requirement is one row of the catalogue.
type Requirement struct {
	ID    string `json:"id"`
	Level Level  `json:"level"`
	Rule  string `json:"rule"`
	// Area is the ID's middle part (UP, RD, PG, ...).
	Area string `json:"area"`
}

// Catalogue is the parsed rule catalogue.
type Catalogue struct {
	Title           string
	Requirements    []Requirement
	Interpretations []string
	byID            map[string]int
}

var rowPattern = regexp.MustCompile(`^\|\s*(SAM-([A-Z]+)-\d+)\s*\|\s*(MUST|SHOULD)\s*\|\s*(.*?)\s*\|\s*$`)

// ParseCatalogue reads a catalogue in the Markdown form of contract/skylark-access.md:
// requirement rows `| ID | LEVEL | rule |` and paragraphs starting "Interpretation".
func ParseCatalogue(text string) (*Catalogue, error) {
	c := &Catalogue{byID: map[string]int{}}
	var para []string
	flush := func() {
		if len(para) > 0 {
			c.Interpretations = append(c.Interpretations, splitInterpretations(strings.Join(para, " "))...)
			para = nil
		}
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "# ") && c.Title == "":
			c.Title = strings.TrimPrefix(line, "# ")
		case rowPattern.MatchString(line):
			flush()
			m := rowPattern.FindStringSubmatch(line)
			if _, dup := c.byID[m[1]]; dup {
				return nil, fmt.Errorf("catalogue: requirement %s is listed twice", m[1])
			}
			c.byID[m[1]] = len(c.Requirements)
			c.Requirements = append(c.Requirements, Requirement{ID: m[1], Area: m[2], Level: Level(m[3]), Rule: m[4]})
		case strings.HasPrefix(line, "Interpretation"):
			flush()
			para = append(para, line)
		case len(para) > 0 && line != "" && !strings.HasPrefix(line, "|") && !strings.HasPrefix(line, "```"):
			para = append(para, line)
		default:
			flush()
		}
	}
	flush()
	if len(c.Requirements) == 0 {
		return nil, fmt.Errorf("catalogue: no requirement rows found")
	}
	return c, nil
}

// splitInterpretations separates several "Interpretation (...)" readings that share
// one paragraph.
func splitInterpretations(p string) []string {
	var out []string
	for _, part := range strings.SplitAfter(p, ". ") {
		if strings.HasPrefix(part, "Interpretation") || len(out) == 0 {
			out = append(out, strings.TrimSpace(part))
			continue
		}
		out[len(out)-1] += " " + strings.TrimSpace(part)
	}
	return out
}

// Lookup returns the requirement with the given ID.
func (c *Catalogue) Lookup(id string) (Requirement, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Requirement{}, false
	}
	return c.Requirements[i], true
}

var skylarkOnce = sync.OnceValues(func() (*Catalogue, error) { return ParseCatalogue(skylarkCatalogue) })

// Skylark is the embedded Skylark Access Management catalogue.
func Skylark() *Catalogue {
	c, err := skylarkOnce()
	if err != nil {
		// The embedded file is checked by tests; a parse failure is a build defect.
		panic(err)
	}
	return c
}

// IsRequirementTag reports whether a scenario tag names a requirement ("@SAM-UP-06").
func IsRequirementTag(tag string) bool {
	return strings.HasPrefix(strings.TrimPrefix(tag, "@"), "SAM-")
}
