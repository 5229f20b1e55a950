//! Probes and what they read. [`prometheus`] parses the Prometheus text format and
//! OpenMetrics and evaluates what conditions on metrics need (selection, histogram quantiles,
//! counter rates); the HTTP, Redis, PostgreSQL and TCP probes of health-probe will live here
//! too, so predeploy and other crates reuse them.

pub mod prometheus;
