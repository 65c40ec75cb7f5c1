// Package lightspeed is a client for the Lightspeed Retail (R-Series) API
// V3, written for long-running batch jobs.
//
// It refreshes OAuth tokens through a TokenStore (refresh tokens rotate on
// every use), paces itself from the leaky-bucket headers the API sends,
// retries 429, 5xx, cut connections and garbled answers, follows the
// cursor links of list reads and normalises the loose JSON of the API: a
// list or relation of one arrives as a bare object, numbers and booleans as
// strings, empty relations as "" or not at all. The types in this package
// are the normalised shapes; the raw JSON never leaves it.
package lightspeed
