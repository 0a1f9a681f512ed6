package steps

// isolationSteps are the steps of the isolation area (features/skylark/isolation*.feature).
func isolationSteps(w *World) []stepDef {
	return nil
}

// isolationState is the isolation area's per-scenario state, kept in World.isolation.
type isolationState struct{}
