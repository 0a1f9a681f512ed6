package reference

// Faults of the single update (SAM-UP), each checked at one place in update.go. They
// bend the PATCH endpoint only; a batch update's operationBody keeps the rules.
const (
	faultUpdateAnswersOldStatus      = "update-answers-old-status"
	faultUpdateAcceptsJSON           = "update-accepts-json"
	faultUpdateAcceptsNoContentType  = "update-accepts-no-content-type"
	faultUpdateMediaTypeExact        = "update-media-type-exact"
	faultUpdateEmptyAccepted         = "update-empty-accepted"
	faultUpdateNullAsAbsent          = "update-null-as-absent"
	faultUpdateAppliesUsername       = "update-applies-username"
	faultUpdateLimitCharacters       = "update-limit-characters"
	faultUpdateLimit71Bytes          = "update-limit-71-bytes"
	faultUpdateLimit73Bytes          = "update-limit-73-bytes"
	faultUpdatePasswordNonString     = "update-password-non-string"
	faultUpdateStatusCaseInsensitive = "update-status-case-insensitive"
	faultUpdateNotAtomic             = "update-not-atomic"
	faultUpdateNotStored             = "update-not-stored"
	faultUpdateUnknownID200          = "update-unknown-id-200"
	faultUpdateNonObjectAccepted     = "update-non-object-accepted"
)

// updateFaults are the deliberate faults of the update area.
func updateFaults() []Fault {
	return []Fault{
		{Name: faultUpdateAnswersOldStatus, Requirement: "SAM-UP-01", Summary: "the 200 answer to a PATCH shows the status the access had before"},
		{Name: faultUpdateMediaTypeExact, Requirement: "SAM-UP-01", Summary: "Content-Type must equal application/merge-patch+json exactly: a charset parameter gets 415"},
		{Name: faultUpdateAcceptsJSON, Requirement: "SAM-UP-02", Summary: "PATCH accepts Content-Type application/json as merge-patch"},
		{Name: faultUpdateAcceptsNoContentType, Requirement: "SAM-UP-02", Summary: "PATCH accepts a body with no Content-Type as merge-patch"},
		{Name: faultUpdateEmptyAccepted, Requirement: "SAM-UP-03", Summary: "PATCH with {} is a 200 no-op instead of a rejection"},
		{Name: faultUpdateNullAsAbsent, Requirement: "SAM-UP-04", Summary: "a null member is ignored as if absent; the rest of the body applies"},
		{Name: faultUpdateAppliesUsername, Requirement: "SAM-UP-05", Summary: "PATCH silently applies an unsupported username property"},
		{Name: faultUpdateLimitCharacters, Requirement: "SAM-UP-06", Summary: "the 72 password limit counts characters, not UTF-8 bytes"},
		{Name: faultUpdateLimit71Bytes, Requirement: "SAM-UP-06", Summary: "off by one: a 72-byte password is rejected (limit 71)"},
		{Name: faultUpdateLimit73Bytes, Requirement: "SAM-UP-06", Summary: "off by one: a 73-byte password is accepted (limit 73)"},
		{Name: faultUpdatePasswordNonString, Requirement: "SAM-UP-07", Summary: "a non-string password (number, boolean, object) is accepted as its JSON text"},
		{Name: faultUpdateStatusCaseInsensitive, Requirement: "SAM-UP-07", Summary: "status values compare case-insensitively (\"suspended\" sets SUSPENDED)"},
		{Name: faultUpdateNotAtomic, Requirement: "SAM-UP-08", Summary: "a valid status is stored although the request is rejected for another member"},
		{Name: faultUpdateNotStored, Requirement: "SAM-UP-09", Summary: "PATCH answers 200 with the change but never commits it"},
		{Name: faultUpdateUnknownID200, Requirement: "SAM-UP-10", Summary: "PATCH of an unknown id answers 200 with a made-up access"},
		{Name: faultUpdateNonObjectAccepted, Requirement: "SAM-UP-11", Summary: "a JSON body that is not an object (array, string, number, null) is a 200 no-op"},
	}
}
