package fuzz

import (
	"fmt"
	"io"
	"strings"
)

// maxShownIDs bounds the ids a counterexample lists.
const maxShownIDs = 10

// String renders the counterexample for a report: the law, expected vs observed, the
// minimal expressions readable and encoded, the ids that differ, the seed and the
// replay command.
func (cx *Counterexample) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", cx.Law, cx.Message)
	for _, e := range cx.Exprs {
		fmt.Fprintf(&b, "  %s: %s\n", e.Name, quoteIfBlank(e.Readable))
		fmt.Fprintf(&b, "  %s encoded: %s\n", e.Name, e.Encoded)
	}
	fmt.Fprintf(&b, "  minimal case: %s, %s\n", plural(cx.Size, "condition"), plural(cx.Chars, "character"))
	if len(cx.Missing) > 0 {
		fmt.Fprintf(&b, "  missing (%d): %s\n", len(cx.Missing), idList(cx.Missing))
	}
	if len(cx.Unexpected) > 0 {
		fmt.Fprintf(&b, "  unexpected (%d): %s\n", len(cx.Unexpected), idList(cx.Unexpected))
	}
	if !cx.Reproduced {
		b.WriteString("  note: the last replay of this case did not fail again; the target may be flaky\n")
	}
	if cx.Seed != 0 {
		fmt.Fprintf(&b, "  seed: %d\n", cx.Seed)
	}
	if cx.Replay != "" {
		fmt.Fprintf(&b, "  replay: %s\n", cx.Replay)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// quoteIfBlank shows an empty or space-edged text quoted, so it can be seen.
func quoteIfBlank(s string) string {
	if s == "" || strings.TrimSpace(s) != s {
		return fmt.Sprintf("%q", s)
	}
	return s
}

func idList(ids []string) string {
	if len(ids) <= maxShownIDs {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:maxShownIDs], ", ") + fmt.Sprintf(" and %d more", len(ids)-maxShownIDs)
}

// NotJudged says why a property without a counterexample judged nothing, "" when it
// was put to the test: no check judged the target (the time limit, or every walk
// broke), or the property compares the target with the oracle and the snapshot held
// no access, so every expression rightly matched nothing whatever the target did.
// SAM-FZ-03's "never a 5xx" is exercised by any answer, so an empty snapshot leaves
// it judged.
func (res Result) NotJudged() string {
	switch {
	case res.Failure != nil:
		return ""
	case res.Checks == 0 && res.Stopped != "":
		return "no check judged the target: " + res.Stopped
	case res.Checks == 0:
		return "no check ran"
	case res.Snapshot == 0 && res.Property != Robustness:
		return "the tenant lists no access, so every expression matches nothing on either side"
	}
	return ""
}

// WriteText prints the report for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d, max depth %d, %s per property\n", r.Seed, r.MaxDepth, plural(r.Checks, "check"))
	for _, res := range r.Results {
		switch {
		case res.Failure != nil:
			fmt.Fprintf(&b, "%s FAIL after %s on %s\n", res.Property, plural(res.Checks, "check"), plural(res.Snapshot, "access"))
			for _, line := range strings.Split(res.Failure.String(), "\n") {
				fmt.Fprintf(&b, "  %s\n", line)
			}
		case res.NotJudged() != "":
			fmt.Fprintf(&b, "%s NOT JUDGED (%s)\n", res.Property, res.NotJudged())
		case res.Stopped != "":
			fmt.Fprintf(&b, "%s PASS (%s on %s; %s)\n", res.Property, plural(res.Checks, "check"), plural(res.Snapshot, "access"), res.Stopped)
		default:
			fmt.Fprintf(&b, "%s PASS (%s on %s)\n", res.Property, plural(res.Checks, "check"), plural(res.Snapshot, "access"))
		}
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s %s (met while walking): %s\n", f.Requirement, f.Level, f.Message)
	}
	secs := r.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(r.TotalChecks()) / secs
	}
	fmt.Fprintf(&b, "%s, %s in %s (%.0f checks/s, %.0f%% of the time waiting on the target)\n",
		plural(r.TotalChecks(), "check"), plural(r.Requests, "request"), r.Elapsed.Round(1e6), rate, 100*share(r.Wait, r.Elapsed))
	_, err := io.WriteString(w, b.String())
	return err
}

func share(part, whole interface{ Seconds() float64 }) float64 {
	if whole.Seconds() <= 0 {
		return 0
	}
	return part.Seconds() / whole.Seconds()
}

func plural(n int, word string) string {
	switch {
	case n == 1:
		return "1 " + word
	case strings.HasSuffix(word, "s"):
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
