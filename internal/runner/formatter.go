package runner

import (
	"io"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/formatters"
	messages "github.com/cucumber/messages/go/v34"
)

// silentFormat is the godog formatter of every pass: the run writes its own reports
// from its records, so godog's output would only be thrown away. The progress
// formatter still did work for it: at the end of every pass it summed up the
// results and built snippets for steps without a definition (every step of the
// plan pass, which registers none).
const silentFormat = "accessctk-silent"

// godog's formatters are a global registry, filled at init (never from goroutines).
func init() {
	godog.Format(silentFormat, "prints nothing; accessctk writes its own reports", func(string, io.Writer) godog.Formatter {
		return silentFormatter{}
	})
}

type silentFormatter struct{}

func (silentFormatter) TestRunStarted()                                   {}
func (silentFormatter) Feature(*messages.GherkinDocument, string, []byte) {}
func (silentFormatter) Pickle(*messages.Pickle)                           {}
func (silentFormatter) Defined(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition) {
}
func (silentFormatter) Failed(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition, error) {
}
func (silentFormatter) Passed(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition) {
}
func (silentFormatter) Skipped(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition) {
}
func (silentFormatter) Undefined(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition) {
}
func (silentFormatter) Pending(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition) {
}
func (silentFormatter) Ambiguous(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition, error) {
}
func (silentFormatter) Summary() {}
