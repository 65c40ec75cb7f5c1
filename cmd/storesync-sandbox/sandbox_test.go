package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/storesync/storesync/internal/exitcode"
)

const catalogDir = "../../testdata/catalog"

// startSandbox runs serve until the test ends and returns its ready file.
func startSandbox(t *testing.T) (string, Ready) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "ready.json")
	ctx, cancel := context.WithCancel(context.Background())
	readyc := make(chan Ready, 1)
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, ServeOptions{
			CatalogDir: catalogDir, Listen: "127.0.0.1:0", ReadyFile: file,
			Bucket: 90, Drip: 1, Stderr: &bytes.Buffer{},
			onReady: func(r Ready) { readyc <- r },
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Errorf("ready file left behind after shutdown: %v", err)
		}
	})

	select {
	case r := <-readyc:
		return file, r
	case err := <-done:
		t.Fatalf("serve stopped early: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not become ready")
	}
	return "", Ready{}
}

func TestServeWritesReadyFile(t *testing.T) {
	file, want := startSandbox(t)
	got, err := readReady(file)
	if err != nil {
		t.Fatalf("read ready file: %v", err)
	}
	if got != want {
		t.Errorf("ready file = %+v, want %+v", got, want)
	}
	if got.TokenURL != got.LightspeedURL+"/auth/oauth/token" {
		t.Errorf("token URL %q is not under %q", got.TokenURL, got.LightspeedURL)
	}
	if !filepath.IsAbs(got.CatalogDir) {
		t.Errorf("catalog dir %q is not absolute", got.CatalogDir)
	}
	if got.AccessToken == "" || got.RefreshToken == "" {
		t.Error("ready file has no token pair")
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("ready file mode %v, want private to its owner", perm)
	}

	// The Lightspeed emulator answers with the pair from the file.
	req, _ := http.NewRequest(http.MethodGet,
		got.LightspeedURL+"/API/V3/Account/"+got.AccountID+"/Shop.json", nil)
	req.Header.Set("Authorization", "Bearer "+got.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("read shops: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("read shops: status %d, want 200", resp.StatusCode)
	}
}

func TestReplayActCompare(t *testing.T) {
	file, ready := startSandbox(t)
	ctx := context.Background()

	var out bytes.Buffer
	err := runReplay(ctx, ReplayOptions{ReadyFile: file,
		Day: "2011-11-14", Limit: 20, ShopID: 1, Out: &out})
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if !strings.HasPrefix(out.String(), "replayed 20 sales lines of 2011-11-14") {
		t.Errorf("replay printed %q", out.String())
	}

	// Sell the case twin 85123a and check its twin did not move.
	c := newControl(ready)
	before := sellableBySKU(t, c)
	out.Reset()
	err = runAct(ctx, ActOptions{ReadyFile: file, Action: "sell",
		SKU: "85123a", Value: "2", ShopID: 1, Out: &out})
	if err != nil {
		t.Fatalf("act sell: %v", err)
	}
	after := sellableBySKU(t, c)
	if before["85123A"] != after["85123A"] {
		t.Errorf("selling 85123a moved 85123A from %d to %d",
			before["85123A"], after["85123A"])
	}
	if before["85123a"] == after["85123a"] && before["85123a"] > 0 {
		t.Errorf("selling 85123a left its stock at %d", after["85123a"])
	}

	err = runAct(ctx, ActOptions{ReadyFile: file, Action: "archive",
		SKU: "nope", Out: &out})
	if !errors.Is(err, ErrNoSuchSKU) {
		t.Errorf("archive of an unknown SKU: %v, want ErrNoSuchSKU", err)
	}

	// Nothing was pushed, so every tagged product is missing.
	out.Reset()
	err = runCompare(ctx, CompareOptions{ReadyFile: file, Tag: "WEBON",
		PriceLevel: "Default", Out: &out})
	if !errors.Is(err, ErrStoreDiffers) {
		t.Fatalf("compare: %v, want ErrStoreDiffers", err)
	}
	if exitcode.Code(err) != 1 {
		t.Errorf("compare exit code %d, want 1", exitcode.Code(err))
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	summary := lines[len(lines)-1]
	if !strings.Contains(summary, "; 0 in the web store exactly once;") ||
		!strings.HasPrefix(summary, "410 tagged products;") {
		t.Errorf("summary = %q", summary)
	}
	for _, want := range []string{"woo-vneck-tee-red-large", "gemstone-blue",
		"classic-varsity-top-medium"} {
		if !strings.Contains(out.String(), want+" ") {
			t.Errorf("table has no row for %s", want)
		}
	}
	if strings.Contains(out.String(), "classic-varsity-top-small ") ||
		strings.Contains(out.String(), "clay-plant-pot-large ") {
		t.Error("table lists variants of untagged matrices")
	}
}

func sellableBySKU(t *testing.T, c *control) map[string]int64 {
	t.Helper()
	items, err := c.lsItems(context.Background())
	if err != nil {
		t.Fatalf("read items: %v", err)
	}
	out := map[string]int64{}
	for _, it := range items {
		out[it.SKU] = it.Sellable[0]
	}
	return out
}

func TestListenAddrs(t *testing.T) {
	tests := []struct {
		listen, ls, woo string
		bad             bool
	}{
		{listen: "127.0.0.1:0", ls: "127.0.0.1:0", woo: "127.0.0.1:0"},
		{listen: "127.0.0.1:8080", ls: "127.0.0.1:8080", woo: "127.0.0.1:8081"},
		{listen: "[::1]:9000", ls: "[::1]:9000", woo: "[::1]:9001"},
		{listen: "localhost:0", ls: "localhost:0", woo: "localhost:0"},
		{listen: "0.0.0.0:0", bad: true},
		{listen: "192.168.1.2:80", bad: true},
		{listen: "127.0.0.1", bad: true},
		{listen: "127.0.0.1:65535", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.listen, func(t *testing.T) {
			ls, woo, err := listenAddrs(tt.listen)
			if tt.bad {
				if exitcode.Code(err) != exitcode.BadUsage {
					t.Errorf("err = %v, want a usage error", err)
				}
				return
			}
			if err != nil || ls != tt.ls || woo != tt.woo {
				t.Errorf("got %q, %q, %v; want %q, %q", ls, woo, err,
					tt.ls, tt.woo)
			}
		})
	}
}

func TestRootRejectsBadUsage(t *testing.T) {
	tests := [][]string{
		{"compare", "--bogus"},
		{"act", "price", "85123A"},
		{"replay", "--ready-file", "x"},
		{"serve"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			root := newRootCmd()
			root.SetArgs(args)
			root.SetOut(&bytes.Buffer{})
			root.SetErr(&bytes.Buffer{})
			err := root.ExecuteContext(context.Background())
			if exitcode.Code(err) != exitcode.BadUsage {
				t.Errorf("err = %v (code %d), want bad usage", err,
					exitcode.Code(err))
			}
		})
	}
}
