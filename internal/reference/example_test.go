package reference_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/accessctk/accessctk/internal/reference"
)

// Starting the reference server in process: choose the tokens, create it, serve its
// handler, and describe it as a target with Fixtures.
func Example() {
	primary, secondary := reference.DefaultTenants()
	srv, err := reference.New(context.Background(), reference.Options{
		Seed:   1,
		Tokens: map[string]string{primary: "token-one", secondary: "token-two"},
	})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler()) // or an http.Server on a listener of your own
	defer ts.Close()

	fx := srv.Fixtures(ts.URL)
	fx.Tenants.Primary.TokenEnv = "MY_PRIMARY_TOKEN" // where the harness will find the token
	fx.Tenants.Secondary.TokenFile = "/path/to/secondary.token"
	if err := fx.Check(); err != nil {
		panic(err)
	}
	fmt.Println(fx.Tenants.Primary.Name, len(fx.Accesses.PPU), "disposable PPU accesses")

	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/"+primary+"/access?pageSize=5", nil)
	req.Header.Set("Authorization", "Bearer token-one")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("X-Total-Count"))
	// Output:
	// eos 10 disposable PPU accesses
	// 200 530
}
