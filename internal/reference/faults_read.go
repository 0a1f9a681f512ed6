package reference

// Faults of reading (SAM-RD).
const (
	faultReadLeaksPassword  = "read-leaks-password"
	faultReadWrongID        = "read-wrong-id"
	faultReadUnknown200     = "read-unknown-200"
	faultReadLeaksCreatedAt = "read-leaks-createdat"
	faultReadBadStatus      = "read-bad-status"
	// The next three break a rule in the answers the preflight reads first: the
	// harness must judge them, never blame the fixtures.
	faultStatusLowerCase = "status-lower-case"
	faultReadFirst500    = "read-first-500"
	faultReadHTMLPage    = "read-html-page"
)

func readFaults() []Fault {
	return []Fault{
		{Name: faultReadLeaksPassword, Requirement: "SAM-RD-03", Summary: "list and read responses include the password hash (empty when none is set)"},
		{Name: faultReadWrongID, Requirement: "SAM-RD-01", Summary: "read-one answers with the tenant's next access, whose id is not the requested one"},
		{Name: faultReadUnknown200, Requirement: "SAM-RD-02", Summary: "an unknown id gives 200 with the tenant's first access"},
		{Name: faultReadLeaksCreatedAt, Requirement: "SAM-RD-04", Summary: "list and read responses include the filter-only createdAt"},
		{Name: faultReadBadStatus, Requirement: "SAM-RD-05", Summary: "reads show PENDING_TERMINATE as PENDING_TERMINATION, a status the catalogue does not have"},
		{Name: faultStatusLowerCase, Requirement: "SAM-CM-02", Summary: "every answer shows the status in lower case (\"active\"), outside the schema's enum"},
		{Name: faultReadFirst500, Requirement: "SAM-CM-05", Summary: "the first read of each access answers 500 (a cold cache); later reads are right"},
		{Name: faultReadHTMLPage, Requirement: "SAM-CM-02", Summary: "read-one of an ACTIVE access answers 200 with an HTML page instead of JSON"},
	}
}
