package steps

// readSteps are the steps of the read area (features/skylark/read.feature) beyond the
// common ones.
func readSteps(w *World) []stepDef {
	return nil
}
