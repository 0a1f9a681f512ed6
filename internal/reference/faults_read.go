package reference

// Faults of reading (SAM-RD).
const (
	faultReadLeaksPassword  = "read-leaks-password"
	faultReadWrongID        = "read-wrong-id"
	faultReadUnknown200     = "read-unknown-200"
	faultReadLeaksCreatedAt = "read-leaks-createdat"
	faultReadBadStatus      = "read-bad-status"
)

func readFaults() []Fault {
	return []Fault{
		{Name: faultReadLeaksPassword, Requirement: "SAM-RD-03", Summary: "list and read responses include the password hash (empty when none is set)"},
		{Name: faultReadWrongID, Requirement: "SAM-RD-01", Summary: "read-one answers with the tenant's next access, whose id is not the requested one"},
		{Name: faultReadUnknown200, Requirement: "SAM-RD-02", Summary: "an unknown id gives 200 with the tenant's first access"},
		{Name: faultReadLeaksCreatedAt, Requirement: "SAM-RD-04", Summary: "list and read responses include the filter-only createdAt"},
		{Name: faultReadBadStatus, Requirement: "SAM-RD-05", Summary: "reads show PENDING_TERMINATE as PENDING_TERMINATION, a status the catalogue does not have"},
	}
}
