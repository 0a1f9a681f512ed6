package reference

// filterFaults are the deliberate faults of the filter area.
func filterFaults() []Fault {
	return nil
}
