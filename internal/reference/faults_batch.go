package reference

// batchFaults are the deliberate faults of the batch area.
func batchFaults() []Fault {
	return nil
}
