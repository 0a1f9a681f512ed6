package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/accessctk/accessctk/internal/suggest"
)

// FileError is a problem at one place of a YAML file (the fixtures or the --config
// file): it names the file, the line and the key path, e.g.
// "fixtures.yaml:7: accesses.ppu[2]: ...".
type FileError struct {
	File string // "" when the YAML did not come from a file
	Line int    // 0 when no line applies (the file is empty, or unreadable)
	Path string // key path such as accesses.ppu[2]; "" for the whole document
	Msg  string
	// kind is ErrInvalidFixtures or ErrBadSettings, for errors.Is.
	kind error
}

func (e *FileError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *FileError) Unwrap() error { return e.kind }

// yamlFile decodes one YAML document into a struct strictly: before anything is
// decoded, every key is checked against the struct's yaml keys (an unknown key gets a
// did-you-mean) and every value against its field's type, so that each error names
// the line and key path. yaml.v3's own errors name neither the key of a wrong value
// nor, for many indentation mistakes, the right line.
type yamlFile struct {
	file string
	kind error
	// renamed maps a deprecated key path to the key that replaced it.
	renamed map[string]string
	// notes are deprecation warnings for the user.
	notes []string
	// lines maps each key path met to its line, for errors found after decoding.
	lines map[string]int
}

func (y *yamlFile) errorf(line int, path, format string, args ...any) error {
	return &FileError{File: y.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...), kind: y.kind}
}

// decode checks data against out's type and decodes it into out, a pointer to a
// struct. An empty document sets nothing.
func (y *yamlFile) decode(data []byte, out any) error {
	y.lines = map[string]int{}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return y.syntaxError(data, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if err := y.check(root, reflect.TypeOf(out).Elem(), ""); err != nil {
		return err
	}
	if err := root.Decode(out); err != nil {
		// check has accepted every value; this is a case it does not know.
		return y.errorf(root.Line, "", "%s", strings.TrimPrefix(oneLine(err.Error()), "yaml: "))
	}
	return nil
}

// check walks node against t, recording lines, renaming deprecated keys in place.
func (y *yamlFile) check(node *yaml.Node, t reflect.Type, path string) error {
	if node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	y.lines[path] = node.Line
	if node.Tag == "!!null" {
		return nil
	}
	switch {
	case t.Kind() == reflect.Pointer:
		return y.check(node, t.Elem(), path)
	case t == reflect.TypeFor[time.Duration]():
		if _, err := time.ParseDuration(node.Value); node.Kind != yaml.ScalarNode || err != nil {
			return y.errorf(node.Line, path, "want a duration with its unit, e.g. 30s or 2m, got %s", describe(node))
		}
		return nil
	case t.Kind() == reflect.Struct:
		return y.checkMapping(node, t, path)
	case t.Kind() == reflect.Slice:
		if node.Kind != yaml.SequenceNode {
			return y.errorf(node.Line, path, "want a list, e.g. [a, b], got %s", describe(node))
		}
		for i, item := range node.Content {
			if err := y.check(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if node.Kind != yaml.ScalarNode {
		return y.errorf(node.Line, path, "want %s, got %s", wanted(t), describe(node))
	}
	if err := node.Decode(reflect.New(t).Interface()); err != nil {
		return y.errorf(node.Line, path, "want %s, got %s", wanted(t), describe(node))
	}
	return nil
}

func (y *yamlFile) checkMapping(node *yaml.Node, t reflect.Type, path string) error {
	if node.Kind != yaml.MappingNode {
		return y.errorf(node.Line, path, "want keys and values (%s), got %s", strings.Join(yamlKeys(t), ", "), describe(node))
	}
	fields := map[string]reflect.StructField{}
	for _, f := range reflect.VisibleFields(t) {
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
			fields[name] = f
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		if key.Tag == "!!merge" {
			// "<<: *defaults" merges another mapping's keys: check them here.
			if err := y.checkMerge(value, t, path); err != nil {
				return err
			}
			continue
		}
		keyPath := join(path, key.Value)
		if to, ok := y.renamed[keyPath]; ok {
			y.notes = append(y.notes, fmt.Sprintf("%s:%d: key %s is deprecated: write %s", y.file, key.Line, keyPath, to))
			key.Value = to
			keyPath = join(path, to)
		}
		f, ok := fields[key.Value]
		if !ok {
			return y.errorf(key.Line, keyPath, "unknown key%s; the keys here are %s", suggest.DidYouMean(key.Value, yamlKeys(t)), strings.Join(yamlKeys(t), ", "))
		}
		if first, dup := seen[key.Value]; dup {
			return y.errorf(key.Line, keyPath, "set twice (first on line %d)", first)
		}
		seen[key.Value] = key.Line
		if err := y.check(value, f.Type, keyPath); err != nil {
			return err
		}
		y.lines[keyPath] = key.Line
	}
	return nil
}

// checkMerge checks what a merge key names: one mapping or a list of them.
func (y *yamlFile) checkMerge(value *yaml.Node, t reflect.Type, path string) error {
	if value.Kind == yaml.AliasNode {
		value = value.Alias
	}
	if value.Kind != yaml.SequenceNode {
		return y.checkMapping(value, t, path)
	}
	for _, item := range value.Content {
		if err := y.checkMerge(item, t, path); err != nil {
			return err
		}
	}
	return nil
}

// at returns a FileError at a key path check met (its line), for problems found after
// decoding.
func (y *yamlFile) at(path, format string, args ...any) error {
	line := y.lines[path]
	for p := path; line == 0 && p != ""; {
		// A path the file does not spell out (a key left out) is reported where its
		// parent is.
		p = parent(p)
		line = y.lines[p]
	}
	return y.errorf(line, path, format, args...)
}

func parent(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func yamlKeys(t reflect.Type) []string {
	var keys []string
	for _, f := range reflect.VisibleFields(t) {
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

func wanted(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	}
	return t.String()
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "keys and values"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError turns a YAML syntax error into a FileError at the line that broke the
// document. yaml.v3 reports many indentation mistakes at the line where the enclosing
// block started ("line 1: did not find expected key" for a key on line 4), so the
// line is found again: the first prefix of the file that fails the same way ends at
// it. The error names the last key before it, to say where in the document that is.
func (y *yamlFile) syntaxError(data []byte, err error) error {
	msg := oneLine(err.Error())
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return y.errorf(0, "", "not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
	}
	line, _ := strconv.Atoi(m[1])
	problem := msg[len(m[0]):]
	lines := bytes.SplitAfter(data, []byte("\n"))
	const maxRescan = 5000 // the rescan is quadratic; fixtures files are far shorter
	if len(lines) <= maxRescan {
		for k := 1; k <= len(lines); k++ {
			var n yaml.Node
			perr := yaml.Unmarshal(bytes.Join(lines[:k], nil), &n)
			if perr != nil && strings.HasSuffix(perr.Error(), ": "+problem) {
				line = k
				break
			}
		}
	}
	hint := ""
	switch {
	case line-1 < len(lines) && bytes.ContainsRune(leadingSpace(lines[line-1]), '\t'):
		hint = ": YAML indents with spaces, not tabs"
	case strings.Contains(problem, "expected key") || strings.Contains(problem, "mapping values are not allowed"):
		hint = ": check this line's indentation against the keys above it"
	}
	where := ""
	if before := y.lastKeyBefore(lines, line); before != "" {
		where = " (after " + before + ")"
	}
	return y.errorf(line, "", "not valid YAML%s: %s%s", where, problem, hint)
}

func leadingSpace(line []byte) []byte {
	return line[:len(line)-len(bytes.TrimLeft(line, " \t"))]
}

// lastKeyBefore is the key path of the last key on a line before line, as far as the
// lines before it parse.
func (y *yamlFile) lastKeyBefore(lines [][]byte, line int) string {
	var doc yaml.Node
	if line < 2 || yaml.Unmarshal(bytes.Join(lines[:line-1], nil), &doc) != nil || len(doc.Content) == 0 {
		return ""
	}
	best, bestLine := "", 0
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := join(path, n.Content[i].Value)
				if n.Content[i].Line >= bestLine {
					best, bestLine = p, n.Content[i].Line
				}
				walk(n.Content[i+1], p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				if c.Kind == yaml.ScalarNode && c.Line >= bestLine {
					best, bestLine = p, c.Line
				}
				walk(c, p)
			}
		}
	}
	walk(doc.Content[0], "")
	return best
}

// unwrapPath drops the *PathError's own copy of the path, which the FileError
// already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
