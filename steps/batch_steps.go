package steps

// batchSteps are the steps of the batch area (features/skylark/batch*.feature).
func batchSteps(w *World) []stepDef {
	return nil
}

// batchState is the batch area's per-scenario state, kept in World.batch.
type batchState struct{}
