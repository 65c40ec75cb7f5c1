// Package metrics reports the outcome of a storesync run to the systems
// that watch cron jobs.
//
// WriteTextfile keeps a Prometheus textfile, for node_exporter's textfile
// collector, with one set of series per job: when each job last ran, when
// it last succeeded, how long it took, what it did to products and how many
// requests it spent. Several jobs share one file; each write replaces the
// series of its own job and carries the others over.
//
// Pinger tells a healthchecks.io-style monitor that a run started and how
// it ended. A ping that cannot be delivered is logged and otherwise
// ignored: monitoring must never change the outcome of a run.
package metrics
