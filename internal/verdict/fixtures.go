package verdict

// FixtureReport is what a run needed of the fixtures file and what it left of it: a
// nightly job reads here how long its fixtures last.
type FixtureReport struct {
	Roles []FixtureRole `json:"roles"`
	// RunsLeft is about how many more runs of the same selection the fixtures left
	// usable would last; -1 when the selection uses nothing up.
	RunsLeft int `json:"runsLeft"`
	// Unusable were listed but not usable before the run; Consumed were used up by
	// the run (terminated); Quarantined could not be given back as they were.
	Unusable    []FixtureNote `json:"unusable,omitempty"`
	Consumed    []FixtureNote `json:"consumed,omitempty"`
	Quarantined []FixtureNote `json:"quarantined,omitempty"`
}

// FixtureRole is one role's count.
type FixtureRole struct {
	Role string `json:"role"`
	// Listed in the fixtures file; Usable before the run; Minimum the selection
	// needs usable; Consumes is how many a run of the selection uses up.
	Listed   int `json:"listed"`
	Usable   int `json:"usable"`
	Minimum  int `json:"minimum"`
	Consumes int `json:"consumes"`
	// Consumed, Quarantined and Restored count what this run did; Left is how many
	// are usable after it.
	Consumed    int `json:"consumed"`
	Quarantined int `json:"quarantined"`
	Restored    int `json:"restored"`
	Left        int `json:"left"`
}

// FixtureNote names one fixture and why it is listed.
type FixtureNote struct {
	ID     string `json:"id"`
	Role   string `json:"role"`
	Reason string `json:"reason"`
}
