// Package docscheck holds tests that keep the Markdown documentation under
// docs/ in step with the code. It has no code of its own.
package docscheck
