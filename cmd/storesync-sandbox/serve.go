package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/seed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
	"github.com/storesync/storesync/pkg/woocommerce/woocommercetest"
)

// Credentials the sandbox hands out. They open emulators on loopback only
// and are written to the ready file for the scripts that need them.
const (
	sandboxAccountID    = 123456
	sandboxClientID     = "sandbox-client"
	sandboxClientSecret = "sandbox-secret"
	sandboxWooKey       = "ck_sandbox"
	sandboxWooSecret    = "cs_sandbox"
	tokenPath           = "/auth/oauth/token"
	shutdownGrace       = 5 * time.Second
)

// ServeOptions are the flags of serve.
type ServeOptions struct {
	CatalogDir string
	Listen     string
	ReadyFile  string
	Bucket     float64
	Drip       float64
	Burst      int
	Stderr     io.Writer

	// Synthetic, when positive, seeds a made-up catalog of that many
	// items instead of CatalogDir, MatrixShare of them variants; TagAll
	// tags every standalone item and matrix of it for the web store.
	Synthetic   int
	MatrixShare float64
	TagAll      bool

	// LSLatency and WCLatency delay every API answer of each emulator,
	// as a distant production server would.
	LSLatency time.Duration
	WCLatency time.Duration

	// AccessTTL is how long a Lightspeed access token lives; short lives
	// make storesync refresh often, to test the token chain.
	AccessTTL time.Duration

	// onReady, when set, is called with the ready file's content once
	// both emulators listen; tests use it instead of polling the file.
	onReady func(Ready)
}

func newServeCmd() *cobra.Command {
	opts := ServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run both emulators on loopback until interrupted",
		Long: `Serve seeds the Lightspeed emulator from the sample catalog, starts
it and an empty WooCommerce emulator on loopback, writes the ready file
(atomically, once both listen) and serves until SIGINT or SIGTERM.

With port 0 in --listen each emulator takes a free port; with port P the
Lightspeed emulator takes P and the WooCommerce emulator P+1. The
Lightspeed token endpoint is lightspeed_url + "/auth/oauth/token".

With --synthetic N the Lightspeed emulator holds a made-up catalog of N
items instead (for benchmarks); --ls-latency and --wc-latency delay
every API answer, but not the control API, to mimic servers far away.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Stderr = cmd.ErrOrStderr()
			return runServe(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.CatalogDir, "catalog", "testdata/catalog",
		"directory of the sample catalog")
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:0",
		"loopback `address` to listen on")
	f.StringVar(&opts.ReadyFile, "ready-file", "",
		"`file` to write the URLs and credentials to (required)")
	f.Float64Var(&opts.Bucket, "ls-bucket", 90,
		"size of the Lightspeed rate-limit bucket, in drips")
	f.Float64Var(&opts.Drip, "ls-drip", 1,
		"drips per second the Lightspeed bucket leaks")
	f.IntVar(&opts.Burst, "ls-burst", 20,
		"Lightspeed requests allowed in any one second")
	f.IntVar(&opts.Synthetic, "synthetic", 0,
		"seed a synthetic catalog of `N` items instead of --catalog")
	f.Float64Var(&opts.MatrixShare, "matrix-share", 0.3,
		"share of the synthetic items that are matrix variants, 0 to 1")
	f.BoolVar(&opts.TagAll, "tag-all", false,
		"tag every synthetic item and matrix for the web store, not one in ten")
	f.DurationVar(&opts.LSLatency, "ls-latency", 0,
		"`delay` before each Lightspeed API answer")
	f.DurationVar(&opts.WCLatency, "wc-latency", 0,
		"`delay` before each WooCommerce API answer")
	f.DurationVar(&opts.AccessTTL, "ls-access-ttl", time.Hour,
		"how long a Lightspeed access token lives")
	return cmd
}

func runServe(ctx context.Context, opts ServeOptions) error {
	if opts.ReadyFile == "" {
		return exitcode.Usagef("--ready-file is required")
	}
	if opts.Bucket <= 0 || opts.Drip <= 0 {
		return exitcode.Usagef("--ls-bucket and --ls-drip must be positive")
	}
	if opts.Synthetic < 0 || opts.MatrixShare < 0 || opts.MatrixShare > 1 ||
		opts.LSLatency < 0 || opts.WCLatency < 0 || opts.AccessTTL < 0 {
		return exitcode.Usagef("--synthetic, --matrix-share and the " +
			"durations must not be negative; --matrix-share is at most 1")
	}
	lsAddr, wooAddr, err := listenAddrs(opts.Listen)
	if err != nil {
		return err
	}

	// Load the catalog before opening any port, so a bad catalog fails
	// fast and leaves no ready file behind.
	catalogDir, err := filepath.Abs(opts.CatalogDir)
	if err != nil {
		return fmt.Errorf("find catalog: %w", err)
	}
	opts.CatalogDir = catalogDir
	catalog, err := serveCatalog(opts)
	if err != nil {
		return err
	}

	lsLn, err := net.Listen("tcp", lsAddr)
	if err != nil {
		return fmt.Errorf("listen for lightspeed: %w", err)
	}
	defer lsLn.Close()
	wooLn, err := net.Listen("tcp", wooAddr)
	if err != nil {
		return fmt.Errorf("listen for woocommerce: %w", err)
	}
	defer wooLn.Close()

	// Build the emulators now that their addresses are known.
	lsURL := "http://" + lsLn.Addr().String()
	wooURL := "http://" + wooLn.Addr().String()
	ls := lightspeedtest.NewServer(lightspeedtest.Options{
		AccountID:    sandboxAccountID,
		ClientID:     sandboxClientID,
		ClientSecret: sandboxClientSecret,
		BucketSize:   opts.Bucket,
		DripRate:     opts.Drip,
		BurstLimit:   opts.Burst,
		BaseURL:      lsURL,
		AccessTTL:    opts.AccessTTL,
	})
	ls.SeedCatalog(catalog)
	access, refresh := ls.IssueTokens()
	woo := woocommercetest.NewServer(woocommercetest.Options{
		Key:    sandboxWooKey,
		Secret: sandboxWooSecret,
	})

	// Serve both, then announce them.
	servers := []*http.Server{
		{Handler: delayed(ls, opts.LSLatency), ReadHeaderTimeout: 10 * time.Second},
		{Handler: delayed(woo, opts.WCLatency), ReadHeaderTimeout: 10 * time.Second},
	}
	errc := make(chan error, len(servers))
	for i, ln := range []net.Listener{lsLn, wooLn} {
		go func() { errc <- servers[i].Serve(ln) }()
	}
	ready := Ready{
		LightspeedURL:     lsURL,
		TokenURL:          lsURL + tokenPath,
		WooCommerceURL:    wooURL,
		AccountID:         strconv.Itoa(sandboxAccountID),
		ClientID:          sandboxClientID,
		ClientSecret:      sandboxClientSecret,
		AccessToken:       access,
		RefreshToken:      refresh,
		WooCommerceKey:    sandboxWooKey,
		WooCommerceSecret: sandboxWooSecret,
		CatalogDir:        catalogDir,
	}
	if err := writeReady(opts.ReadyFile, ready); err != nil {
		shutdown(servers)
		return err
	}
	fmt.Fprintf(opts.Stderr, "lightspeed %s, woocommerce %s: %d items, "+
		"%d matrices; ready file %s\n", lsURL, wooURL, len(catalog.Items),
		len(catalog.Matrices), opts.ReadyFile)
	if opts.onReady != nil {
		opts.onReady(ready)
	}

	// Run until a signal, or until a server fails. The ready file goes
	// with the emulators, so no script finds ports nobody listens on.
	defer os.Remove(opts.ReadyFile)
	select {
	case <-ctx.Done():
		shutdown(servers)
		return nil
	case err := <-errc:
		shutdown(servers)
		return fmt.Errorf("serve emulator: %w", err)
	}
}

// serveCatalog is the catalog serve seeds: the sample files, or a
// synthetic one of opts.Synthetic items.
func serveCatalog(opts ServeOptions) (lightspeedtest.Catalog, error) {
	if opts.Synthetic == 0 {
		c, err := seed.Load(opts.CatalogDir)
		if err != nil {
			return c, fmt.Errorf("load catalog: %w", err)
		}
		return c, nil
	}
	c := seed.Synthetic(opts.Synthetic, opts.MatrixShare, 1)
	if opts.TagAll {
		for i := range c.Items {
			if c.Items[i].ItemMatrixID == 0 {
				c.Items[i].Tags = []string{seed.WebTag}
			}
		}
		for i := range c.Matrices {
			c.Matrices[i].Tags = []string{seed.WebTag}
		}
	}
	return c, nil
}

// delayed answers each API request after d; control API calls, which
// stand for the shop floor and the test scripts, are answered at once.
func delayed(h http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// listenAddrs splits --listen into the two emulators' addresses and
// refuses anything but loopback: the control APIs take no credentials.
func listenAddrs(listen string) (ls, woo string, err error) {
	host, portText, err := net.SplitHostPort(listen)
	if err != nil {
		return "", "", exitcode.Usagef("--listen %q: %w", listen, err)
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", "", exitcode.Usagef("--listen %q: not a loopback address",
			listen)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65534 {
		return "", "", exitcode.Usagef("--listen %q: bad port", listen)
	}
	if port == 0 {
		return listen, listen, nil
	}
	return net.JoinHostPort(host, strconv.Itoa(port)),
		net.JoinHostPort(host, strconv.Itoa(port+1)), nil
}

// shutdown stops the servers, letting requests in flight finish for a
// few seconds.
func shutdown(servers []*http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(ctx); err != nil &&
			!errors.Is(err, http.ErrServerClosed) {
			s.Close()
		}
	}
}
