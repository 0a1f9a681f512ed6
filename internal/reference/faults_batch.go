package reference

// Faults of the batch area (SAM-BT, and the batch parts of SAM-CM-06).
const (
	faultBatchTaskWithoutID        = "batch-task-without-id"
	faultBatchTaskStuck            = "batch-task-stuck"
	faultBatchTaskReopens          = "batch-task-reopens"
	faultBatchUnknownOperationNoop = "batch-unknown-operation-noop"
	faultBatchLenientIDList        = "batch-lenient-id-list"
	faultBatchLenientUpdateBody    = "batch-lenient-update-body"
	faultBatchTerminateBodyIgnored = "batch-terminate-body-ignored"
	faultBatchNonPPUApplied        = "batch-non-ppu-applied"
	faultBatchNonPPUFailsBatch     = "batch-non-ppu-fails-batch"
	faultBatchUnknownIDFailsBatch  = "batch-unknown-id-fails-batch"
	faultBatchForeignApplied       = "batch-foreign-access-applied"
	faultBatchTaskVisibleToOthers  = "batch-task-visible-to-other-tenant"
	faultBatchFailedItemsOmitted   = "batch-failed-items-omitted"
	faultBatchUpdatesNotApplied    = "batch-updates-not-applied"
	faultBatchEndsNow              = "batch-terminate-ends-now"
	faultBatchEndsNextMonth        = "batch-terminate-ends-next-month"
	faultBatchTerminatedAtOnce     = "batch-terminated-at-once"
	faultBatchUnknownTaskFound     = "batch-unknown-task-found"
)

// batchFaults are the deliberate faults of the batch area.
func batchFaults() []Fault {
	return []Fault{
		{Name: faultBatchTaskWithoutID, Requirement: "SAM-BT-01", Summary: "a batch is answered with a task whose id is under \"taskId\", not \"id\""},
		{Name: faultBatchTaskStuck, Requirement: "SAM-BT-02", Summary: "batch terminate tasks never leave IN_PROGRESS"},
		{Name: faultBatchTaskReopens, Requirement: "SAM-BT-02", Summary: "a task once read DONE goes back to IN_PROGRESS"},
		{Name: faultBatchUnknownOperationNoop, Requirement: "SAM-BT-03", Summary: "an operationType other than update or terminate is accepted as a task that does nothing"},
		{Name: faultBatchLenientIDList, Requirement: "SAM-BT-04", Summary: "an empty accessesIdList is accepted, and items that are not strings are skipped"},
		{Name: faultBatchLenientUpdateBody, Requirement: "SAM-BT-05", Summary: "an update operationBody loses its unsupported properties instead of being rejected"},
		{Name: faultBatchTerminateBodyIgnored, Requirement: "SAM-BT-06", Summary: "a terminate operationBody other than {} is ignored instead of rejected"},
		{Name: faultBatchNonPPUApplied, Requirement: "SAM-BT-07", Summary: "non-PPU accesses in a batch are changed like PPU ones"},
		{Name: faultBatchNonPPUFailsBatch, Requirement: "SAM-BT-07", Summary: "one non-PPU access fails the whole batch"},
		{Name: faultBatchUnknownIDFailsBatch, Requirement: "SAM-BT-08", Summary: "one unknown id fails the whole batch"},
		{Name: faultBatchForeignApplied, Requirement: "SAM-CM-06", Summary: "a batch changes another tenant's accesses it names"},
		{Name: faultBatchTaskVisibleToOthers, Requirement: "SAM-CM-06", Summary: "a tenant can read another tenant's batch task"},
		{Name: faultBatchFailedItemsOmitted, Requirement: "SAM-BT-09", Summary: "a DONE task lists no errors for its failed items"},
		{Name: faultBatchUpdatesNotApplied, Requirement: "SAM-BT-10", Summary: "a DONE task reports accesses as updated that were never changed"},
		{Name: faultBatchEndsNow, Requirement: "SAM-BT-11", Summary: "a batch terminate ends accesses now, not at the end of the billing period"},
		{Name: faultBatchEndsNextMonth, Requirement: "SAM-BT-11", Summary: "a batch terminate ends accesses at the end of the next billing period"},
		{Name: faultBatchTerminatedAtOnce, Requirement: "SAM-BT-11", Summary: "a batch terminate makes accesses TERMINATED at once, not PENDING_TERMINATE"},
		{Name: faultBatchUnknownTaskFound, Requirement: "SAM-BT-12", Summary: "an unknown task id is answered 200 with a made-up REJECTED task"},
	}
}
