// Package woocommerce is a client of the WooCommerce REST API v3
// (/wp-json/wc/v3): product lookups by SKU, product and variation batches,
// categories and brands.
//
// # Authentication
//
// The consumer key and secret travel as HTTP Basic credentials, or as the
// consumer_key and consumer_secret query parameters when Config.QueryAuth is
// set (for hosts that strip the Authorization header; the client reports
// that case with ErrConsumerKeyMissing). Both send the secret as is, so the
// client refuses a plain http:// store URL unless the host is loopback.
//
// # Retries
//
// Every request goes through one retry loop. A 429, a 5xx, a timeout, a cut
// connection and an answer that is not JSON (a firewall or proxy page) are
// tried again after a back-off delay, or after the delay the server asks for
// in Retry-After when that is longer. Any other 4xx is returned at once.
//
// Batches are sent in calls of at most Config.BatchSize operations, and the
// results are put back together in request order. When a call of several
// operations times out or answers 500, 502, 503 or 504, or the server
// refuses it as too large (413), it is split in halves and each half is
// sent on its own, so a batch too slow for the host's time limit still gets
// through.
//
// # Creates are never repeated blindly
//
// WooCommerce has no idempotency key: a create that is sent twice makes two
// products. Reads, updates and deletes may be repeated safely, but a request
// that creates something (a batch with creates, CreateCategory, CreateBrand)
// is not repeated once it may have reached the store. When its outcome is
// unknown (a timeout, a cut connection, a 5xx or 429 that may have come after
// the store saved some of the items) the client returns an *UncertainError,
// which matches ErrUncertain, and no per-item results for that call. The
// caller must then look the products up by SKU (ProductsBySKU) and adopt
// what exists before creating the rest. A request that never reached the
// server (the connection could not be opened) is still retried.
//
// # Errors
//
// A JSON error answer is an *Error; each failed operation of a 200 batch
// answer is reported in place as Result.Err, matched by position. An answer
// that is not JSON is an *HTTPError.
package woocommerce
