package steps

import "github.com/cucumber/godog"

// ScenarioRef returns the id and the feature name a scenario's record carries, for a
// caller that lists scenarios without running them.
func ScenarioRef(sc *godog.Scenario) (id, feature string) {
	return scenarioID(sc), featureName(sc.Uri)
}
