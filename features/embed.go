// Package features embeds the Gherkin scenarios the harness runs, one directory per
// profile, so the binary carries its whole suite.
package features

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"
)

// FS holds every profile's feature files (skylark/*.feature).
//
//go:embed skylark/*.feature
var FS embed.FS

// Skylark is the directory of the Skylark Access Management profile inside FS.
const Skylark = "skylark"

// Pickles parses every feature file of a profile directory into its pickles, one per
// scenario and Outline example row, each with the tags it inherits (feature,
// scenario, examples), as godog would run them.
func Pickles(dir string) ([]*messages.Pickle, error) {
	var all []*messages.Pickle
	err := eachDocument(dir, func(p string, doc *messages.GherkinDocument, newID func() string) {
		all = append(all, gherkin.Pickles(*doc, p, newID)...)
	})
	return all, err
}

// ExampleRows describes every Outline example row of a profile directory's feature
// files as "header: value; header: value", by feature name (the file's base name
// without .feature) and the row's line: what tells apart the scenarios an Outline
// makes, whose names are the same when the name uses no placeholder.
func ExampleRows(dir string) (map[string]map[int]string, error) {
	rows := map[string]map[int]string{}
	err := eachDocument(dir, func(p string, doc *messages.GherkinDocument, _ func() string) {
		if doc.Feature == nil {
			return
		}
		byLine := map[int]string{}
		for _, child := range doc.Feature.Children {
			if child.Scenario == nil {
				continue
			}
			for _, ex := range child.Scenario.Examples {
				if ex.TableHeader == nil {
					continue
				}
				for _, row := range ex.TableBody {
					var parts []string
					for i, cell := range row.Cells {
						if i < len(ex.TableHeader.Cells) {
							parts = append(parts, ex.TableHeader.Cells[i].Value+": "+cell.Value)
						}
					}
					byLine[int(row.Location.Line)] = strings.Join(parts, "; ")
				}
			}
		}
		rows[strings.TrimSuffix(path.Base(p), ".feature")] = byLine
	})
	return rows, err
}

// eachDocument parses every feature file of a profile directory and hands each
// document to f with its path and the id source its pickles must use.
func eachDocument(dir string, f func(p string, doc *messages.GherkinDocument, newID func() string)) error {
	err := fs.WalkDir(FS, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".feature" {
			return err
		}
		file, err := FS.Open(p)
		if err != nil {
			return err
		}
		defer file.Close()
		ids := &messages.Incrementing{}
		doc, err := gherkin.ParseGherkinDocument(file, ids.NewId)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		f(p, doc, ids.NewId)
		return nil
	})
	if err != nil {
		return fmt.Errorf("features: %w", err)
	}
	return nil
}
