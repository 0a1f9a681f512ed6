package reference

// Faults of filter evaluation (SAM-FL).
const (
	faultFilterSemicolonAnd       = "filter-semicolon-and"
	faultFilterAmpersandOr        = "filter-ampersand-or"
	faultFilterOrBindsTighter     = "filter-or-binds-tighter"
	faultFilterGeAsGt             = "filter-ge-as-gt"
	faultFilterDatesAsText        = "filter-dates-as-text"
	faultFilterEqLike             = "filter-eq-like"
	faultFilterEqCaseInsensitive  = "filter-eq-case-insensitive"
	faultFilterUnknownMatchesNone = "filter-unknown-field-matches-nothing"
	faultFilterCreatedAtAsText    = "filter-createdat-as-text"
	faultFilterMissingEndMatches  = "filter-missing-end-matches"
)

func filterFaults() []Fault {
	return []Fault{
		{Name: faultFilterSemicolonAnd, Requirement: "SAM-FL-03", Summary: "\";\" is read as AND"},
		{Name: faultFilterAmpersandOr, Requirement: "SAM-FL-02", Summary: "\"&\" is read as OR"},
		{Name: faultFilterOrBindsTighter, Requirement: "SAM-FL-03", Summary: "OR binds tighter than AND: a&b;c is read as a&(b;c)"},
		{Name: faultFilterGeAsGt, Requirement: "SAM-FL-01", Summary: "\">=\" on date-times behaves as \">\" (and \"<=\" as \"<\")"},
		{Name: faultFilterDatesAsText, Requirement: "SAM-FL-01", Summary: "startDateTime and endDateTime compare as the stored text, not as instants"},
		{Name: faultFilterEqLike, Requirement: "SAM-FL-06", Summary: "text \"=\" is SQL LIKE: % and _ in a value are wildcards"},
		{Name: faultFilterEqCaseInsensitive, Requirement: "SAM-FL-01", Summary: "text \"=\" ignores case"},
		{Name: faultFilterUnknownMatchesNone, Requirement: "SAM-FL-04", Summary: "a condition on an unknown field matches nothing instead of being dropped"},
		{Name: faultFilterCreatedAtAsText, Requirement: "SAM-FL-05", Summary: "createdAt compares as the stored text, not as an instant"},
		{Name: faultFilterMissingEndMatches, Requirement: "SAM-FL-01", Summary: "an access without endDateTime compares as if it ended at the Unix epoch"},
	}
}
