package lightspeed_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/storesync/storesync/pkg/lightspeed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
)

// postRefresh trades a refresh token directly, as another client would.
func postRefresh(t *testing.T, e *env, refresh string) int {
	t.Helper()
	resp, err := http.PostForm(e.srv.URL+"/auth/oauth/token", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {refresh},
		"client_id": {"sandbox-client"}, "client_secret": {"sandbox-secret"},
	})
	if err != nil {
		t.Fatalf("post refresh: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRefreshRotates(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, lightspeedtest.Options{Clock: clock.Now}, smallCatalog(), nil)
	first, _ := e.tokens.Token(context.Background())
	for round := 1; round <= 3; round++ {
		clock.Advance(2 * time.Hour) // the access token has expired
		before, _ := e.tokens.Token(context.Background())
		if _, _, err := allItems(t, e.client, lightspeed.Query{}); err != nil {
			t.Fatalf("round %d: read items: %v", round, err)
		}
		after, _ := e.tokens.Token(context.Background())
		if after.Refresh == before.Refresh || after.Access == before.Access {
			t.Fatalf("round %d: pair did not rotate", round)
		}
		if after.Expiry.IsZero() {
			t.Errorf("round %d: expiry not set from expires_in", round)
		}
	}
	if n := e.tokens.Refreshes(); n != 3 {
		t.Errorf("refreshed %d times, want 3", n)
	}
	// The first refresh token was revoked once its successor was used.
	if status := postRefresh(t, e, first.Refresh); status != http.StatusBadRequest {
		t.Errorf("old refresh token answered %d, want 400", status)
	}
}

func TestLostRefreshAnswerRetried(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, lightspeedtest.Options{Clock: clock.Now}, smallCatalog(), nil)
	e.emu.Inject(lightspeedtest.Fault{Kind: lightspeedtest.FaultLostRefresh})
	clock.Advance(2 * time.Hour)
	if _, _, err := allItems(t, e.client, lightspeed.Query{}); err != nil {
		t.Fatalf("read items: %v", err)
	}
	if n := e.emu.Requests()["token"]; n != 2 {
		t.Errorf("token endpoint saw %d requests, want 2", n)
	}

	// The chain survives: the next expiry refreshes with the pair that
	// did arrive.
	clock.Advance(2 * time.Hour)
	if _, _, err := allItems(t, e.client, lightspeed.Query{}); err != nil {
		t.Fatalf("read items after second expiry: %v", err)
	}
	if n := e.tokens.Refreshes(); n != 2 {
		t.Errorf("refreshed %d times, want 2", n)
	}
}

func TestRefreshRefused(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, lightspeedtest.Options{Clock: clock.Now}, smallCatalog(), nil)
	tok, _ := e.tokens.Token(context.Background())
	e.tokens.Set(lightspeed.Token{Access: tok.Access, Refresh: "rt-unknown"})
	clock.Advance(2 * time.Hour)
	_, _, err := allItems(t, e.client, lightspeed.Query{})
	if !errors.Is(err, lightspeed.ErrUnauthorized) {
		t.Fatalf("got %v, want ErrUnauthorized", err)
	}
	var apiErr *lightspeed.APIError
	if !errors.As(err, &apiErr) || apiErr.Class != "invalid_grant" {
		t.Errorf("got %v, want invalid_grant", err)
	}
	if n := e.emu.Requests()["token"]; n != 1 {
		t.Errorf("token endpoint saw %d requests, want 1", n)
	}
}

func TestExpiredAccessToken(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, lightspeedtest.Options{Clock: clock.Now}, smallCatalog(), nil)
	tok, _ := e.tokens.Token(context.Background())
	clock.Advance(2 * time.Hour)
	req, _ := http.NewRequest(http.MethodGet,
		e.srv.URL+"/API/V3/Account/1/Item.json", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("got %d, want 401", resp.StatusCode)
	}
}

func TestExchangeCode(t *testing.T) {
	e := newEnv(t, lightspeedtest.Options{}, smallCatalog(), nil)
	code := e.emu.IssueCode()
	tok, err := lightspeed.ExchangeCode(context.Background(), nil,
		e.srv.URL+"/auth/oauth/token", "sandbox-client", "sandbox-secret", code)
	if err != nil || tok.Access == "" || tok.Refresh == "" {
		t.Fatalf("got %+v, %v", tok, err)
	}
	_, err = lightspeed.ExchangeCode(context.Background(), nil,
		e.srv.URL+"/auth/oauth/token", "sandbox-client", "sandbox-secret", code)
	if !errors.Is(err, lightspeed.ErrUnauthorized) {
		t.Errorf("reused code: got %v, want ErrUnauthorized", err)
	}
}

func TestAuthorizeURL(t *testing.T) {
	got := lightspeed.AuthorizeURL("", "my-app", "employee:inventory_read", "xyz")
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, lightspeed.DefaultAuthBase+"/authorize?") {
		t.Errorf("got %s", got)
	}
	q := u.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != "my-app" ||
		q.Get("scope") != "employee:inventory_read" || q.Get("state") != "xyz" {
		t.Errorf("query %v", q)
	}
}
