//! The results table: medians, spreads, peers' ratios to opskit.

use std::time::Duration;

use super::measure::Sample;

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub(super) bench: String,
    pub(super) case: String,
    pub(super) tool: String,
    pub(super) median: Duration,
    pub(super) min: Duration,
    pub(super) max: Duration,
    pub(super) rss: u64,
    pub(super) ratio: Option<f64>,
    /// The median CPU time (user + system).
    pub(super) cpu: Duration,
}

impl Row {
    pub(super) fn new(
        bench: &str,
        case: &str,
        tool: &str,
        samples: &[Sample],
        opskit_median: Option<Duration>,
    ) -> Row {
        let mut walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
        walls.sort();
        let mut cpus: Vec<Duration> = samples.iter().map(|s| s.cpu).collect();
        cpus.sort();
        let cpu = median(&cpus);
        let median = median(&walls);
        let ratio = match opskit_median {
            Some(base) if tool != "opskit" && !base.is_zero() => {
                Some(median.as_secs_f64() / base.as_secs_f64())
            }
            _ => None,
        };
        Row {
            bench: bench.to_owned(),
            case: case.to_owned(),
            tool: tool.to_owned(),
            median,
            min: walls.first().copied().unwrap_or_default(),
            max: walls.last().copied().unwrap_or_default(),
            rss: samples.iter().map(|s| s.max_rss).max().unwrap_or(0),
            ratio,
            cpu,
        }
    }
}

impl Row {
    /// The derived floor row: `max(slowest alone, CPU of all in turn / cores)` (CPU time, not
    /// wall time: one tsc keeps more than one core busy with its garbage collector); its
    /// ratio column is opskit's median over the floor (the target is within 1.15x).
    pub(super) fn floor(
        bench: &str,
        case: &str,
        rows: &[Row],
        slowest: usize,
        serial: usize,
        opskit: Duration,
    ) -> Row {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let slow = rows.get(slowest).map(|r| r.median).unwrap_or_default();
        let cpu = rows.get(serial).map(|r| r.cpu).unwrap_or_default();
        let floor = slow.max(cpu / u32::try_from(cores).unwrap_or(1));
        Row {
            bench: bench.to_owned(),
            case: case.to_owned(),
            tool: format!("floor: max(slowest, CPU in turn / {cores} cores)"),
            median: floor,
            min: floor,
            max: floor,
            rss: 0,
            ratio: (!floor.is_zero()).then(|| opskit.as_secs_f64() / floor.as_secs_f64()),
            cpu: Duration::ZERO,
        }
    }
}

/// The median of sorted durations (the mean of the middle two for an even count).
pub(super) fn median(sorted: &[Duration]) -> Duration {
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

pub(super) fn fmt_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1e3)
    } else {
        format!("{ms:.1} ms")
    }
}

#[expect(clippy::cast_precision_loss, reason = "memory sizes for people")]
pub(super) fn fmt_bytes(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

/// The results as an aligned text table.
pub fn table(rows: &[Row]) -> String {
    let header = [
        "bench",
        "case",
        "tool",
        "median",
        "spread (min-max)",
        "peak RSS",
        "peer/opskit",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.bench.clone(),
                r.case.clone(),
                r.tool.clone(),
                fmt_duration(r.median),
                format!("{} - {}", fmt_duration(r.min), fmt_duration(r.max)),
                fmt_bytes(r.rss),
                r.ratio
                    .map_or_else(|| "-".to_owned(), |x| format!("{x:.2}x")),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            let pad = w - c.chars().count();
            // Text columns left, numbers right.
            if i < 3 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
            s.push_str("  ");
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(&header.map(str::to_owned));
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    for row in &cells {
        out.push_str(&line(row));
    }
    out
}
