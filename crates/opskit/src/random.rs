//! Random bytes from the operating system's generator, for secrets, nonces and ids.

use std::io::Read;

/// Fills `buf` from `/dev/urandom`.
pub fn fill(buf: &mut [u8]) -> std::io::Result<()> {
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(buf))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fills_with_different_bytes() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        super::fill(&mut a).unwrap();
        super::fill(&mut b).unwrap();
        assert_ne!(a, b);
    }
}
