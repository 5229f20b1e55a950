//! Probes and what they read, shared by health-probe, predeploy and the other crates:
//! [`http`] requests a URL and times each phase (DNS, connect, TLS, first byte, total) and
//! reads the certificate's expiry ([`x509`]); [`prometheus`] parses the Prometheus text format
//! and OpenMetrics and evaluates what conditions on metrics need; [`condition`] holds the
//! conditions on an answer (status sets, JSON paths); [`postgres`] connects, authenticates and
//! runs one query; [`tcp`] is a plain connect.

pub mod condition;
pub mod http;
pub mod postgres;
pub mod prometheus;
pub mod tcp;
pub mod x509;
