// Package seed turns the public sample data under testdata/catalog into a
// Lightspeed catalog for the emulator, and the five days of real sales in
// that data into lines a sandbox can sell again.
//
// Everything here is deterministic: the same files always give the same
// IDs, stock, tags and categories, so tests can name items by ID. Choices
// that look arbitrary (which items are tagged, archived or oversold) come
// from an FNV-1a hash of the item's SKU, never from a random source.
//
// The rules are described in testdata/README.md.
package seed
