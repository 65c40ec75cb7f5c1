// Package woocommercetest emulates the part of the WooCommerce REST API v3
// that storesync uses, as an http.Handler for tests and for the sandbox.
//
// The emulator follows the documented behaviour of a real store: string
// prices, exact SKU lookups that span products and variations, unique SKUs,
// batches of at most 100 operations that answer 200 with per-item errors,
// stock_quantity discarded unless stock is managed, images downloaded again
// for every src, term_exists for a duplicate category. It can also misbehave
// on request (see Fault) and has a JSON control API under /_sandbox/:
//
//	GET    /_sandbox/products  every product with its variations
//	GET    /_sandbox/stats     request counters and store sizes
//	POST   /_sandbox/fault     inject a fault (JSON body, see FaultSpec)
//	DELETE /_sandbox/fault     clear every fault
//	POST   /_sandbox/reset     zero the counters
//
// The control API needs no credentials; serve the emulator on loopback only.
package woocommercetest
