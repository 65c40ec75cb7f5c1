package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/storesync/storesync/internal/exitcode"
)

// Ready is what serve writes to its ready file once both emulators
// listen: where they are and the credentials that open them. Scripts read
// it to write a storesync configuration; the other commands read it to
// find the control APIs.
type Ready struct {
	LightspeedURL     string `json:"lightspeed_url"`
	TokenURL          string `json:"token_url"`
	WooCommerceURL    string `json:"woocommerce_url"`
	AccountID         string `json:"account_id"`
	ClientID          string `json:"client_id"`
	ClientSecret      string `json:"client_secret"`
	AccessToken       string `json:"access_token"`
	RefreshToken      string `json:"refresh_token"`
	WooCommerceKey    string `json:"woocommerce_key"`
	WooCommerceSecret string `json:"woocommerce_secret"`
	// CatalogDir is the absolute path of the catalog serve was seeded
	// from; replay reads the day's sales from it.
	CatalogDir string `json:"catalog_dir"`
}

// writeReady writes r to path atomically: a reader sees either no file or
// the whole of it, never a half-written one.
func writeReady(path string, r Ready) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode ready file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ready-*")
	if err != nil {
		return fmt.Errorf("create ready file: %w", err)
	}
	defer os.Remove(tmp.Name())

	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write ready file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write ready file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("publish ready file: %w", err)
	}
	return nil
}

// readReady reads a ready file written by serve.
func readReady(path string) (Ready, error) {
	var r Ready
	if path == "" {
		return r, exitcode.Usagef("--ready-file is required")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return r, fmt.Errorf("read ready file: %w", err)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("decode ready file %s: %w", path, err)
	}
	if r.LightspeedURL == "" || r.WooCommerceURL == "" {
		return r, fmt.Errorf("ready file %s names no emulator", path)
	}
	return r, nil
}

// openControl reads the ready file at path and returns a client of both
// emulators' control APIs.
func openControl(path string) (*control, Ready, error) {
	ready, err := readReady(path)
	if err != nil {
		return nil, ready, err
	}
	return newControl(ready), ready, nil
}
