package reference

// updateFaults are the deliberate faults of the update area.
func updateFaults() []Fault {
	return nil
}
