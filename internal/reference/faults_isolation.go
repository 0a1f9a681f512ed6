package reference

// isolationFaults are the deliberate faults of the isolation area.
func isolationFaults() []Fault {
	return nil
}
