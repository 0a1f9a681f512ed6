package steps

// updateSteps are the steps of the update area (features/skylark/update*.feature).
func updateSteps(w *World) []stepDef {
	return nil
}

// updateState is the update area's per-scenario state, kept in World.update.
type updateState struct{}
