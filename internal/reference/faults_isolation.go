package reference

// Faults of tenant isolation (SAM-CM-06).
const faultIsolationReadOtherTenant = "isolation-read-other-tenant"

func isolationFaults() []Fault {
	return []Fault{
		{Name: faultIsolationReadOtherTenant, Requirement: "SAM-CM-06", Summary: "read-one finds an access of any tenant by its id, not only the path's tenant's"},
	}
}
