package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EnvPrefix starts the name of every environment variable a setting reads.
const EnvPrefix = "ACCESSCTK_"

// Settings are a run's options, layered: Defaults, then the --config YAML file, then
// ACCESSCTK_* environment variables, then command-line flags; a later layer wins.
// Each field's tags name it in every layer: yaml (file key), env (variable name after
// EnvPrefix) and flag. Credentials are not settings: tokens come only from the
// variables and files the fixtures name, never from flags or this file.
type Settings struct {
	Target           string        `yaml:"target" env:"TARGET" flag:"target"`
	Fixtures         string        `yaml:"fixtures" env:"FIXTURES" flag:"fixtures"`
	Spec             string        `yaml:"spec" env:"SPEC" flag:"spec"`
	Tags             string        `yaml:"tags" env:"TAGS" flag:"tags"`
	ReadOnly         bool          `yaml:"readonly" env:"READONLY" flag:"readonly"`
	AllowDestructive bool          `yaml:"allowDestructive" env:"ALLOW_DESTRUCTIVE" flag:"allow-destructive"`
	RawFilter        bool          `yaml:"rawFilter" env:"RAW_FILTER" flag:"raw-filter"`
	Timeout          time.Duration `yaml:"timeout" env:"TIMEOUT" flag:"timeout"`
	TaskTimeout      time.Duration `yaml:"taskTimeout" env:"TASK_TIMEOUT" flag:"task-timeout"`
	Faults           []string      `yaml:"faults" env:"FAULTS" flag:"fault"`
	DataSeed         int64         `yaml:"dataSeed" env:"DATA_SEED" flag:"data-seed"`
	BulkAccesses     int           `yaml:"bulkAccesses" env:"BULK_ACCESSES" flag:"bulk-accesses"`
	Out              string        `yaml:"out" env:"OUT" flag:"out"`
	Formats          []string      `yaml:"format" env:"FORMAT" flag:"format"`
	Baseline         string        `yaml:"baseline" env:"BASELINE" flag:"baseline"`
	FailOn           string        `yaml:"failOn" env:"FAIL_ON" flag:"fail-on"`
	RerunFailed      int           `yaml:"rerunFailed" env:"RERUN_FAILED" flag:"rerun-failed"`
	Shard            string        `yaml:"shard" env:"SHARD" flag:"shard"`
	Quiet            bool          `yaml:"quiet" env:"QUIET" flag:"quiet"`
	JSON             bool          `yaml:"json" env:"JSON" flag:"json"`
	Verbose          bool          `yaml:"verbose" env:"VERBOSE" flag:"verbose"`
	Transcripts      string        `yaml:"transcripts" env:"TRANSCRIPTS" flag:"transcripts"`
	FullWalks        bool          `yaml:"fullWalks" env:"FULL_WALKS" flag:"full-walks"`
	// Hostile and unreliable targets: bounds, pacing, TLS, and the embedded server's chaos.
	RunTimeout         time.Duration `yaml:"runTimeout" env:"RUN_TIMEOUT" flag:"run-timeout"`
	Concurrency        int           `yaml:"concurrency" env:"CONCURRENCY" flag:"concurrency"`
	RPS                float64       `yaml:"rps" env:"RPS" flag:"rps"`
	CACert             string        `yaml:"caCert" env:"CA_CERT" flag:"ca-cert"`
	ClientCert         string        `yaml:"clientCert" env:"CLIENT_CERT" flag:"client-cert"`
	ClientKey          string        `yaml:"clientKey" env:"CLIENT_KEY" flag:"client-key"`
	InsecureSkipVerify bool          `yaml:"insecureSkipVerify" env:"INSECURE_SKIP_VERIFY" flag:"insecure-skip-verify"`
	Chaos              string        `yaml:"chaos" env:"CHAOS" flag:"chaos"`
}

// What --fail-on accepts.
const (
	// FailOnNonConformant maps the verdict to the exit code (0, 1 or 3).
	FailOnNonConformant = "nonconformant"
	// FailOnRegression exits 1 only when a requirement fails that passed in the baseline.
	FailOnRegression = "regression"
)

// What --transcripts accepts.
const (
	// TranscriptsFailed keeps full exchanges only for scenarios that did not pass
	// cleanly; a passing scenario keeps one line per request.
	TranscriptsFailed = "failed"
	// TranscriptsAll keeps every scenario's exchanges in full.
	TranscriptsAll = "all"
)

// DefaultConcurrency is how many scenarios run at once unless told otherwise. The
// run keeps scenarios that change data apart from those that read it (steps.Gate)
// and gives each mutating scenario its own fixtures, so the judgement does not
// depend on it (runner.TestConcurrencyDeterminism); four keeps two cores busy
// against the embedded server and hides most of a remote target's latency without
// loading it much.
const DefaultConcurrency = 4

// DefaultOut is the report directory when none is given.
const DefaultOut = "./accessctk-report"

// Defaults returns the settings before any layer applies.
func Defaults() Settings {
	return Settings{
		Timeout:     10 * time.Second,
		TaskTimeout: 60 * time.Second,
		RunTimeout:  10 * time.Minute,
		Concurrency: DefaultConcurrency,
		DataSeed:    1,
		Out:         DefaultOut,
		Formats:     []string{"all"},
		FailOn:      FailOnNonConformant,
		Transcripts: TranscriptsFailed,
	}
}

// ErrBadSettings marks settings that cannot be used (a usage error, exit 2).
var ErrBadSettings = errors.New("bad settings")

func badf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadSettings, fmt.Sprintf(format, args...))
}

// Deprecated spellings still read, each with a note naming the new one: the file's
// keys are the flags' names (the Formats key was "formats", the flag is --format),
// and the data set's seed is --data-seed in every command ('fuzz --seed' is the
// search's seed).
var (
	renamedKeys = map[string]string{"formats": "format", "seed": "dataSeed"}
	renamedEnv  = map[string]string{"SEED": "DATA_SEED"}
)

// Layers builds the settings layer by layer (Defaults, the --config file, ACCESSCTK_*
// variables, flags; a later layer wins) and remembers which layer set each one, so
// that a conflict can say where both its sides came from.
type Layers struct {
	Settings Settings
	// From names, by flag name, where each setting a layer set was set: "--data-seed",
	// "ACCESSCTK_DATA_SEED" or "nightly.yaml:4".
	From map[string]string
	// Notes are warnings for the user: deprecated keys and variables.
	Notes []string
}

// NewLayers starts from Defaults.
func NewLayers() *Layers { return &Layers{Settings: Defaults(), From: map[string]string{}} }

// File overlays the YAML file at path. Unknown keys are errors, so a typo never
// silently drops a setting; every error names the file, the line and the key, and an
// unknown key gets a did-you-mean.
func (l *Layers) File(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &FileError{File: path, Msg: fmt.Sprintf("cannot read the config file: %v", unwrapPath(err)), kind: ErrBadSettings}
	}
	y := &yamlFile{file: path, kind: ErrBadSettings, renamed: renamedKeys}
	// Decoding into a copy keeps the settings unchanged when the file is bad.
	next := l.Settings
	if err := y.decode(data, &next); err != nil {
		return err
	}
	l.Settings = next
	l.Notes = append(l.Notes, y.notes...)
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Settings]()) {
		if line, ok := y.lines[f.Tag.Get("yaml")]; ok {
			l.From[f.Tag.Get("flag")] = fmt.Sprintf("%s:%d", path, line)
		}
	}
	return nil
}

// Env overlays every setting whose ACCESSCTK_<env> variable is set and not empty.
func (l *Layers) Env(getenv func(string) string) error {
	v := reflect.ValueOf(&l.Settings).Elem()
	for i, f := range reflect.VisibleFields(v.Type()) {
		name := f.Tag.Get("env")
		names := []string{name}
		for old, to := range renamedEnv {
			if to == name {
				names = append(names, old)
			}
		}
		for _, n := range slices.Backward(names) {
			raw := getenv(EnvPrefix + n)
			if raw == "" {
				continue
			}
			if n != name {
				l.Notes = append(l.Notes, fmt.Sprintf("%s%s is deprecated: set %s%s", EnvPrefix, n, EnvPrefix, name))
			}
			if err := setFromString(v.Field(i), raw); err != nil {
				return badf("%s%s=%q: %v", EnvPrefix, n, raw, err)
			}
			l.From[f.Tag.Get("flag")] = EnvPrefix + n
		}
	}
	return nil
}

// Flags overlays the fields of from whose flag changed reports as set on the
// command line.
func (l *Layers) Flags(from Settings, changed func(flag string) bool) {
	dst := reflect.ValueOf(&l.Settings).Elem()
	src := reflect.ValueOf(from)
	for i, f := range reflect.VisibleFields(dst.Type()) {
		if name := f.Tag.Get("flag"); name != "" && changed(name) {
			dst.Field(i).Set(src.Field(i))
			l.From[name] = "--" + name
		}
	}
}

// Check validates the layered settings (see Validate) and refuses settings that
// contradict each other, which would otherwise leave one of them silently unused.
func (l *Layers) Check() error {
	if err := l.Settings.Validate(); err != nil {
		return err
	}
	s := l.Settings
	if s.ReadOnly && s.AllowDestructive {
		return badf("--readonly (%s) and --allow-destructive (%s) contradict each other: --readonly runs only @readonly scenarios, none of which destroys anything; drop one",
			l.from("readonly"), l.from("allow-destructive"))
	}
	if s.InsecureSkipVerify && s.CACert != "" {
		return badf("--ca-cert (%s) is not used with --insecure-skip-verify (%s), which accepts any certificate: drop one", l.from("ca-cert"), l.from("insecure-skip-verify"))
	}
	if s.VendorTarget() {
		if _, ok := l.From["data-seed"]; ok {
			return badf("--data-seed (%s) seeds the embedded reference server's data set; %s names another server, whose data it cannot change: drop it", l.from("data-seed"), s.targetFlag())
		}
		if _, ok := l.From["bulk-accesses"]; ok {
			return badf("--bulk-accesses (%s) grows the embedded reference server's tenant; %s names another server, whose data it cannot change: drop it", l.from("bulk-accesses"), s.targetFlag())
		}
	}
	return nil
}

func (l *Layers) from(flag string) string {
	if from, ok := l.From[flag]; ok {
		return "from " + from
	}
	return "the default"
}

// VendorTarget reports whether the settings name a server to certify (--target, or
// --fixtures, whose baseURL names it) rather than the embedded reference server.
func (s Settings) VendorTarget() bool { return s.Target != "" || s.Fixtures != "" }

// targetFlag names what made the target a vendor's, for messages.
func (s Settings) targetFlag() string {
	if s.Target != "" {
		return "--target"
	}
	return "--fixtures (whose baseURL is the target)"
}

// FlagName returns the flag that sets the field with the given yaml key.
func FlagName(yamlKey string) string {
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Settings]()) {
		if f.Tag.Get("yaml") == yamlKey {
			return f.Tag.Get("flag")
		}
	}
	return ""
}

func setFromString(v reflect.Value, raw string) error {
	switch {
	case v.Type() == reflect.TypeFor[time.Duration]():
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("not a duration (e.g. 30s)")
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(raw)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("not a boolean (true or false)")
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return fmt.Errorf("not an integer")
		}
		v.SetInt(n)
	case v.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("not a number")
		}
		v.SetFloat(f)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		var list []string
		for _, part := range strings.Split(raw, ",") {
			if part = strings.TrimSpace(part); part != "" {
				list = append(list, part)
			}
		}
		v.Set(reflect.ValueOf(list))
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

// Validate checks what can be checked without other packages: --fail-on, --shard,
// --rerun-failed, --timeout, and that regression mode has a baseline.
func (s Settings) Validate() error {
	if !slices.Contains([]string{FailOnNonConformant, FailOnRegression}, s.FailOn) {
		return badf("--fail-on %q: want %s or %s", s.FailOn, FailOnNonConformant, FailOnRegression)
	}
	if s.BulkAccesses < 0 {
		return badf("--bulk-accesses %d: want 0 or more", s.BulkAccesses)
	}
	if s.FailOn == FailOnRegression && s.Baseline == "" {
		return badf("--fail-on regression needs --baseline (a results.json of an earlier run)")
	}
	if !slices.Contains([]string{TranscriptsFailed, TranscriptsAll}, s.Transcripts) {
		return badf("--transcripts %q: want %s or %s", s.Transcripts, TranscriptsFailed, TranscriptsAll)
	}
	if s.RerunFailed < 0 {
		return badf("--rerun-failed %d: want 0 or more", s.RerunFailed)
	}
	if s.Timeout <= 0 {
		return badf("--timeout %s: want a positive duration", s.Timeout)
	}
	if s.RunTimeout <= 0 {
		return badf("--run-timeout %s: want a positive duration", s.RunTimeout)
	}
	if s.Concurrency < 1 {
		return badf("--concurrency %d: want 1 or more", s.Concurrency)
	}
	if s.RPS < 0 {
		return badf("--rps %g: want a positive number, or 0 for no limit", s.RPS)
	}
	if s.TaskTimeout <= 0 {
		return badf("--task-timeout %s: want a positive duration", s.TaskTimeout)
	}
	if s.Shard != "" {
		if _, err := ParseShard(s.Shard); err != nil {
			return err
		}
	}
	if s.Target != "" {
		u, err := url.Parse(s.Target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return badf("--target %q is not an absolute http(s) URL", redactURL(s.Target))
		}
	}
	return nil
}

// Redact returns a copy safe to write into a report: a password in the target URL is
// replaced. Settings hold no token by design; this guards what a user may paste in.
func (s Settings) Redact() Settings {
	s.Target = redactURL(s.Target)
	s.Baseline = redactURL(s.Baseline)
	s.Faults = slices.Clone(s.Faults)
	s.Formats = slices.Clone(s.Formats)
	return s
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if err != nil && strings.Contains(raw, "@") {
			return "[unparsable URL, redacted]"
		}
		return raw
	}
	return u.Redacted()
}

// Map returns the settings by yaml key, as text, for the report's config section.
// Call it on Redact()'s result.
func (s Settings) Map() map[string]string {
	m := map[string]string{}
	v := reflect.ValueOf(s)
	for i, f := range reflect.VisibleFields(v.Type()) {
		key := f.Tag.Get("yaml")
		fv := v.Field(i)
		switch {
		case fv.Type() == reflect.TypeFor[time.Duration]():
			m[key] = time.Duration(fv.Int()).String()
		case fv.Kind() == reflect.Slice:
			m[key] = strings.Join(fv.Interface().([]string), ",")
		default:
			m[key] = fmt.Sprint(fv.Interface())
		}
	}
	return m
}

// Shard is one part of n of a run's scenarios (--shard i/n), Index counted from 1.
// The zero value means the whole run.
type Shard struct{ Index, Count int }

// ParseShard reads "i/n" with 1 <= i <= n.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, badf("--shard %q: want i/n with 1 <= i <= n, e.g. 2/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// IsZero reports whether the shard is the whole run.
func (s Shard) IsZero() bool { return s.Count == 0 }

func (s Shard) String() string {
	if s.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
