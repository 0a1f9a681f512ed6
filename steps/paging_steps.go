package steps

// pagingSteps are the steps of the paging area (features/skylark/paging*.feature).
func pagingSteps(w *World) []stepDef {
	return nil
}

// pagingState is the paging area's per-scenario state, kept in World.paging.
type pagingState struct{}
