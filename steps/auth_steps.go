package steps

import (
	"context"
	"fmt"
	"net/http"

	"github.com/accessctk/accessctk/internal/target"
)

// authSteps are the SAM-CM-01 steps: requests with no or an invalid credential.
func authSteps(w *World) []stepDef {
	return []stepDef{
		{`^I call the (list|read|update|batch|task) endpoint (without a token|with an invalid token)$`, w.iCallWithoutValidToken},
		{`^the request is refused as unauthenticated$`, w.refusedAsUnauthenticated},
	}
}

func (w *World) iCallWithoutValidToken(ctx context.Context, endpoint, credential string) error {
	var r target.Request
	switch endpoint {
	case "list":
		r = target.Request{Method: http.MethodGet, Path: w.tenantPath()}
	case "read":
		r = target.Request{Method: http.MethodGet, Path: w.tenantPath(w.access)}
	case "update":
		r = jsonRequest(http.MethodPatch, w.tenantPath(w.access), "application/merge-patch+json", []byte(`{"status":"SUSPENDED"}`))
	case "batch":
		body := fmt.Sprintf(`{"operationType":"update","accessesIdList":[%q],"operationBody":{"status":"SUSPENDED"}}`, w.access)
		r = jsonRequest(http.MethodPost, w.tenantPath("batchUpdate"), "application/json", []byte(body))
	case "task":
		r = target.Request{Method: http.MethodGet, Path: w.tenantPath("batch", "job-accessctk-"+randomHex(6))}
	}
	if credential == "with an invalid token" {
		// A well-formed bearer value that no server issued.
		r.AuthOverride = "Bearer accessctk-invalid-" + randomHex(16)
	}
	_, err := w.sendExactly(ctx, r)
	return err
}

func (w *World) refusedAsUnauthenticated() error {
	return w.theStatusIs(http.StatusUnauthorized)
}
