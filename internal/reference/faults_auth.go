package reference

// Faults of authentication (SAM-CM-01).
const (
	faultAuthMissingTokenAllowed = "auth-missing-token-allowed"
	faultAuthAnyTokenAllowed     = "auth-any-token-allowed"
)

func authFaults() []Fault {
	return []Fault{
		{Name: faultAuthMissingTokenAllowed, Requirement: "SAM-CM-01", Summary: "requests without an Authorization header are served as the path's tenant"},
		{Name: faultAuthAnyTokenAllowed, Requirement: "SAM-CM-01", Summary: "any bearer token is accepted as the path's tenant"},
	}
}
