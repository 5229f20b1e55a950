//! opskit serve against real servers.
