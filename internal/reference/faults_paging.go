package reference

// Faults of the list and its paging (SAM-PG, and SAM-FL-07 for the total).
const (
	faultPagingTotalIgnoresFilter = "paging-total-ignores-filter"
	faultPagingTotalOffByOne      = "paging-total-off-by-one"
	faultPagingNextOnLast         = "paging-next-on-last"
	faultPagingLinksDropFilter    = "paging-links-drop-filter"
	faultPagingPagesOverlap       = "paging-pages-overlap"
	faultPagingSkipsOne           = "paging-skips-one"
	faultPagingLastFloor          = "paging-last-floor"
	faultPagingNoFirstLink        = "paging-no-first-link"
	faultPagingBodyObject         = "paging-body-object"
	faultPagingNumberIgnored      = "paging-number-ignored"
	faultPagingSizePlusOne        = "paging-size-plus-one"
	faultPagingEmpty404           = "paging-empty-404"
)

func pagingFaults() []Fault {
	return []Fault{
		{Name: faultPagingTotalIgnoresFilter, Requirement: "SAM-FL-07", Summary: "X-Total-Count and rel=\"last\" count every access of the tenant, ignoring the filter"},
		{Name: faultPagingTotalOffByOne, Requirement: "SAM-PG-02", Summary: "X-Total-Count (and the pages it implies) counts one access more than match"},
		{Name: faultPagingNextOnLast, Requirement: "SAM-PG-05", Summary: "the last page also has a rel=\"next\" link, to the page after it"},
		{Name: faultPagingLinksDropFilter, Requirement: "SAM-PG-07", Summary: "Link URLs carry pageNumber and pageSize but not the filter"},
		{Name: faultPagingPagesOverlap, Requirement: "SAM-PG-05", Summary: "every page after the first starts one access early, repeating the previous page's last"},
		{Name: faultPagingSkipsOne, Requirement: "SAM-PG-05", Summary: "every page after the first starts one access late, so one access per page is never shown"},
		{Name: faultPagingLastFloor, Requirement: "SAM-PG-06", Summary: "rel=\"last\" names page floor(total/pageSize) instead of ceil"},
		{Name: faultPagingNoFirstLink, Requirement: "SAM-PG-03", Summary: "the Link header has no rel=\"first\""},
		{Name: faultPagingBodyObject, Requirement: "SAM-PG-01", Summary: "the list body is an object {\"items\": [...]} instead of an array"},
		{Name: faultPagingNumberIgnored, Requirement: "SAM-PG-01", Summary: "every pageNumber is served the first page's items"},
		{Name: faultPagingSizePlusOne, Requirement: "SAM-PG-08", Summary: "every page holds one access more than the page size its links name"},
		{Name: faultPagingEmpty404, Requirement: "SAM-PG-09", Summary: "a filter that matches nothing gives 404 instead of an empty page"},
	}
}
