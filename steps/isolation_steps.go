package steps

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tidwall/gjson"

	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/walker"
)

// isolationSteps are the steps of the isolation area (features/skylark/isolation.feature):
// the read and update parts of SAM-CM-06 (the batch parts live with the batch steps).
func isolationSteps(w *World) []stepDef {
	return []stepDef{
		{`^a second tenant in the fixtures$`, w.aSecondTenant},
		{`^an access of the (primary|secondary) tenant$`, w.anAccessOfTenant},
		{`^the other tenant reads it through its own path$`, w.theOtherTenantReadsIt},
		{`^the other tenant walks its own list$`, w.theOtherTenantWalksItsList},
		{`^the walk does not contain the access$`, w.theWalkDoesNotContainTheAccess},
		{`^the other tenant updates it through its own path$`, w.theOtherTenantUpdatesIt},
	}
}

// isolationState is the isolation area's per-scenario state, kept in World.isolation.
type isolationState struct {
	// owner holds the access; other is the tenant it must be invisible to.
	owner, other *Tenant
}

func (w *World) aSecondTenant() error {
	if w.suite.Secondary == nil {
		return skipf("no secondary tenant in the fixtures")
	}
	return nil
}

// tenants returns the owner and the other tenant (primary owns by default).
func (w *World) tenants() (owner, other Tenant, err error) {
	if w.suite.Secondary == nil {
		return Tenant{}, Tenant{}, skipf("no secondary tenant in the fixtures")
	}
	if w.isolation.owner == nil {
		return w.suite.Primary, *w.suite.Secondary, nil
	}
	return *w.isolation.owner, *w.isolation.other, nil
}

// anAccessOfTenant takes the first access the tenant lists (as itself).
func (w *World) anAccessOfTenant(ctx context.Context, which string) error {
	if w.suite.Secondary == nil {
		return skipf("no secondary tenant in the fixtures")
	}
	owner, other := w.suite.Primary, *w.suite.Secondary
	if which == "secondary" {
		owner, other = other, owner
	}
	w.isolation.owner, w.isolation.other = &owner, &other
	resp, err := w.send(ctx, target.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(owner.Name) + "/access", RawQuery: "pageNumber=1&pageSize=1", Token: owner.Token})
	if err != nil {
		return err
	}
	if resp.Status != http.StatusOK {
		return w.failReqf("SAM-PG-01", "listing tenant %q's accesses: expected status 200, got %d", owner.Name, resp.Status)
	}
	id := gjson.GetBytes(resp.Body, "0.id")
	if id.Type != gjson.String {
		return skipf("tenant %q has no accesses", owner.Name)
	}
	w.access = id.String()
	return nil
}

func (w *World) theOtherTenantReadsIt(ctx context.Context) error {
	_, other, err := w.tenants()
	if err != nil {
		return err
	}
	_, err = w.send(ctx, target.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(other.Name) + "/access/" + url.PathEscape(w.access), Token: other.Token})
	return err
}

func (w *World) theOtherTenantWalksItsList(ctx context.Context) error {
	_, other, err := w.tenants()
	if err != nil {
		return err
	}
	_, err = w.walkList(ctx, walker.Config{Path: "/" + url.PathEscape(other.Name) + "/access", Token: other.Token, PageSize: w.largestPageSize()})
	return err
}

func (w *World) theWalkDoesNotContainTheAccess() error {
	var own error
	if w.paging.last == nil {
		return &HarnessError{Err: fmt.Errorf("the scenario walked no list")}
	}
	if w.paging.last.IDs.Has(w.access) {
		_, other, _ := w.tenants()
		own = w.failf("tenant %q's list contains access %q of another tenant", other.Name, w.access)
	}
	return w.settle(own)
}

func (w *World) theOtherTenantUpdatesIt(ctx context.Context) error {
	_, other, err := w.tenants()
	if err != nil {
		return err
	}
	r := jsonRequest(http.MethodPatch, "/"+url.PathEscape(other.Name)+"/access/"+url.PathEscape(w.access), "application/merge-patch+json", []byte(`{"status":"SUSPENDED"}`))
	r.Token = other.Token
	_, err = w.send(ctx, r)
	return err
}
