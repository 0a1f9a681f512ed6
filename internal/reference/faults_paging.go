package reference

// pagingFaults are the deliberate faults of the paging area.
func pagingFaults() []Fault {
	return nil
}
