package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/config"
	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/tokens"
	"github.com/storesync/storesync/pkg/lightspeed"
)

// AuthOptions are the flags of auth.
type AuthOptions struct {
	Code             string
	RefreshTokenFile string
	Scope            string
	Stdin            io.Reader
}

func newAuthCmd(g *Options) *cobra.Command {
	opts := &AuthOptions{Stdin: os.Stdin}
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Connect storesync to a Lightspeed account",
		Long: `auth prints the page where the retailer lets storesync read their
Lightspeed account, then takes the code Lightspeed adds to the redirect
address (it is valid for 60 seconds), stores the tokens in the state file,
finds the account ID and reports the scopes granted.

--refresh-token-file takes over a connection made elsewhere: storesync
refreshes the token at once (the old refresh token stops working) and keeps
the new pair.`,
		Example: `  storesync auth
  storesync auth --code 6f1c...
  storesync auth --refresh-token-file /etc/storesync/refresh-token`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAuth(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Code, "code", "", "the authorisation code, if already at hand")
	cmd.Flags().StringVar(&opts.RefreshTokenFile, "refresh-token-file", "",
		"a private file holding a refresh token to take over")
	cmd.Flags().StringVar(&opts.Scope, "scope", "employee:inventory_read",
		"scopes to ask for, space-separated")
	return cmd
}

func runAuth(ctx context.Context, g *Options, opts *AuthOptions) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if opts.RefreshTokenFile != "" {
		return adoptRefreshToken(ctx, g, cfg, opts.RefreshTokenFile)
	}
	code := strings.TrimSpace(opts.Code)
	if code == "" {
		nonce := make([]byte, 8)
		_, _ = rand.Read(nonce)
		fmt.Fprintln(g.Stdout, "Open this page, sign in and allow access:")
		fmt.Fprintln(g.Stdout, "  "+lightspeed.AuthorizeURL(cfg.Lightspeed.AuthorizeURL,
			cfg.Lightspeed.ClientID, opts.Scope, hex.EncodeToString(nonce)))
		fmt.Fprint(g.Stdout, "Then paste the code from the address you land on: ")
		line, err := bufio.NewReader(opts.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return exitcode.Usagef("read authorisation code: %w", err)
		}
		code = strings.TrimSpace(line)
	}
	if code == "" {
		return exitcode.Usagef("no authorisation code given")
	}

	hc := &http.Client{Timeout: 30 * time.Second}
	tok, err := lightspeed.ExchangeCode(ctx, hc, cfg.Lightspeed.TokenURL,
		cfg.Lightspeed.ClientID, cfg.Lightspeed.ClientSecret.Value(), code)
	if err != nil {
		return fmt.Errorf("exchange authorisation code: %w", err)
	}

	return connect(ctx, g, cfg, tok)
}

// adoptRefreshToken stores a refresh token from a private file as an
// expired pair; the first request then refreshes it.
func adoptRefreshToken(ctx context.Context, g *Options, cfg *config.Config, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return exitcode.Usagef("read refresh token: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return exitcode.Usagef("refresh token file %s is readable by others: chmod 600 it", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return exitcode.Usagef("read refresh token: %w", err)
	}
	refresh := strings.TrimSpace(string(b))
	if refresh == "" {
		return exitcode.Usagef("refresh token file %s is empty", path)
	}
	return connect(ctx, g, cfg, lightspeed.Token{Access: "expired", Refresh: refresh,
		Expiry: time.Unix(0, 0)})
}

// connect stores a token pair, reads the account it opens and reports it.
func connect(ctx context.Context, g *Options, cfg *config.Config, tok lightspeed.Token) error {
	// Store the pair before anything uses it: the next refresh rotates it.
	st, err := state.Open(ctx, cfg.StateFile)
	if err != nil {
		return err
	}
	defer st.Close()
	store := tokens.New(st, cfg.StateFile+".token.lock")
	if err := store.Save(ctx, tok); err != nil {
		return err
	}

	hc := &http.Client{Timeout: 30 * time.Second}
	ls, err := lightspeed.New(lightspeed.Config{BaseURL: cfg.Lightspeed.BaseURL,
		TokenURL: cfg.Lightspeed.TokenURL, AccountID: cfg.Lightspeed.AccountID,
		ClientID: cfg.Lightspeed.ClientID, ClientSecret: cfg.Lightspeed.ClientSecret.Value(),
		Tokens: store, HTTPClient: hc})
	if err != nil {
		return err
	}
	acct, err := ls.Account(ctx)
	if err != nil {
		return fmt.Errorf("read the connected account: %w", err)
	}
	fmt.Fprintf(g.Stdout, "connected to Lightspeed account %d (%s)\n", acct.AccountID, acct.Name)
	if fmt.Sprint(acct.AccountID) != cfg.Lightspeed.AccountID {
		fmt.Fprintf(g.Stdout, "note: the configuration names account %s; set account_id = %q\n",
			cfg.Lightspeed.AccountID, fmt.Sprint(acct.AccountID))
	}
	if tok, err = store.Token(ctx); err == nil {
		fmt.Fprintf(g.Stdout, "scopes granted: %s\n", scopes(tok.Access))
	}
	return nil
}

// scopes reads the scope claim of a JWT access token without verifying it;
// it is only reported to the user.
func scopes(access string) string {
	parts := strings.Split(access, ".")
	if len(parts) != 3 {
		return "unknown (the token is not a JWT)"
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "unknown"
	}
	var claims struct {
		Scope string `json:"scope"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Scope == "" {
		return "unknown"
	}
	return claims.Scope
}
