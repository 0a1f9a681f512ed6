package steps

// filterSteps are the steps of the filter area (features/skylark/filter*.feature).
func filterSteps(w *World) []stepDef {
	return nil
}

// filterState is the filter area's per-scenario state, kept in World.filter.
type filterState struct{}
