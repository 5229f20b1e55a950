//! Property tests for parsers: many generated hostile inputs, each checked for no panic, a
//! bounded time and bounded memory.
//!
//! [`Gen`] builds inputs from a parser's own vocabulary (the fragments a test gives) mixed with
//! the shapes that break parsers: huge repeats, deep nesting, stray NUL and control bytes,
//! invalid UTF-8 cut points, unterminated quotes. [`PeakAlloc`] is a global allocator that
//! records the peak of live heap bytes, so a test can assert that parsing N bytes never holds
//! more than a multiple of N. [`check`] runs the cases and reports the worst of each.
//!
//! ```no_run
//! #[global_allocator]
//! static ALLOC: testkit::PeakAlloc = testkit::PeakAlloc::new();
//!
//! let stats = testkit::property::check(&ALLOC, "words", 10_000, &["a", "=", "\n"], |input| {
//!     let _ = input.split('=').count();
//! });
//! assert_eq!(stats.cases, 10_000);
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A global allocator that counts live bytes and their peak since the last [`PeakAlloc::reset`].
#[derive(Debug)]
pub struct PeakAlloc {
    live: AtomicUsize,
    peak: AtomicUsize,
}

impl PeakAlloc {
    /// A counter at zero.
    pub const fn new() -> PeakAlloc {
        PeakAlloc {
            live: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// Starts a new measurement: the peak becomes what is live now.
    pub fn reset(&self) {
        self.peak
            .store(self.live.load(Ordering::Relaxed), Ordering::Relaxed);
    }

    /// Bytes live now.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }

    /// The most bytes live at once since the last reset.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

impl Default for PeakAlloc {
    fn default() -> PeakAlloc {
        PeakAlloc::new()
    }
}

#[expect(
    unsafe_code,
    reason = "a GlobalAlloc is unsafe to implement; this one only counts and forwards to System"
)]
// SAFETY: every call is forwarded unchanged to the system allocator; the counters are atomics
// that do not allocate.
unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = self.live.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            self.peak.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc` is passed on as it is.
        unsafe { System.dealloc(ptr, layout) };
        self.live.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc` is passed on as it is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grown = new_size - layout.size();
                let now = self.live.fetch_add(grown, Ordering::Relaxed) + grown;
                self.peak.fetch_max(now, Ordering::Relaxed);
            } else {
                self.live
                    .fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// A small deterministic generator (xorshift), so a failing case can be replayed by its seed.
#[derive(Debug, Clone)]
pub struct Gen {
    state: u64,
}

impl Gen {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Gen {
        Gen {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % n as u64).unwrap_or(0)
    }

    /// One input: fragments of `vocabulary` and hostile shapes, up to about 4 KiB, sometimes a
    /// single fragment repeated to 64 KiB.
    pub fn input(&mut self, vocabulary: &[&str]) -> Vec<u8> {
        const NASTY: &[&[u8]] = &[
            b"\x00",
            b"\x1b[2J",
            b"\x07",
            b"\r",
            b"\r\n",
            b"\n",
            b"\t",
            b"\"",
            b"'",
            b"`",
            b"\\",
            b"${",
            b"}",
            b"$",
            b"{",
            b"[",
            b"]",
            b"=",
            b":",
            b"#",
            b"\xff",
            b"\xc3",
            b"\xe2\x80\xae",
            b"-1",
            b"99999999999999999999",
            b"NaN",
            b"\xef\xbb\xbf",
        ];
        let mut out = Vec::new();
        if self.below(20) == 0 && !vocabulary.is_empty() {
            // A huge repeat of one fragment (a nesting or a length a parser may not bound).
            let piece = vocabulary[self.below(vocabulary.len())].as_bytes();
            while out.len() < 64 << 10 && !piece.is_empty() {
                out.extend_from_slice(piece);
            }
            return out;
        }
        let parts = 1 + self.below(64);
        for _ in 0..parts {
            match self.below(10) {
                0..=5 if !vocabulary.is_empty() => {
                    out.extend_from_slice(vocabulary[self.below(vocabulary.len())].as_bytes());
                }
                6 | 7 => out.extend_from_slice(NASTY[self.below(NASTY.len())]),
                8 => {
                    let n = self.below(24);
                    for _ in 0..n {
                        out.push(b"abcXYZ019_-./@ "[self.below(15)]);
                    }
                }
                _ => {
                    let n = self.below(8);
                    for _ in 0..n {
                        out.push(u8::try_from(self.below(256)).unwrap_or(0));
                    }
                }
            }
        }
        out
    }
}

/// What [`check`] saw.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    /// Cases run.
    pub cases: usize,
    /// The most heap one case held beyond what was live before it.
    pub worst_peak: usize,
    /// The input length of that case.
    pub worst_peak_input: usize,
    /// The longest a case took.
    pub slowest: Duration,
}

/// The most a case may take before it counts as a hang (a deadline, not a benchmark: cases
/// take microseconds).
pub const CASE_DEADLINE: Duration = Duration::from_secs(5);

/// Runs `cases` generated inputs through `parse` (as text, lossily decoded, which is how the
/// tools read files). Each must return (a panic fails the test), within [`CASE_DEADLINE`],
/// holding at most 64 bytes of heap per input byte plus 4 MiB. Appends the figures to
/// `$OPSKIT_PROPERTY_LOG` when it is set.
pub fn check(
    alloc: &PeakAlloc,
    name: &str,
    cases: usize,
    vocabulary: &[&str],
    parse: impl Fn(&str),
) -> Stats {
    let mut stats = Stats::default();
    for seed in 0..cases as u64 {
        let mut g = Gen::new(seed);
        let bytes = g.input(vocabulary);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let before = alloc.live();
        alloc.reset();
        let started = Instant::now();
        parse(&text);
        let took = started.elapsed();
        let held = alloc.peak().saturating_sub(before);
        assert!(
            took < CASE_DEADLINE,
            "{name}: case {seed} ({} bytes) took {took:?}",
            text.len()
        );
        let bound = 64 * text.len() + (4 << 20);
        assert!(
            held <= bound,
            "{name}: case {seed} ({} bytes) held {held} bytes of heap (bound {bound})",
            text.len()
        );
        if held > stats.worst_peak {
            stats.worst_peak = held;
            stats.worst_peak_input = text.len();
        }
        stats.slowest = stats.slowest.max(took);
        stats.cases += 1;
    }
    if let Some(path) = std::env::var_os("OPSKIT_PROPERTY_LOG") {
        use std::io::Write as _;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(
                f,
                "{name}\t{}\t{}\t{}\t{:?}",
                stats.cases, stats.worst_peak, stats.worst_peak_input, stats.slowest
            );
        }
    }
    stats
}
