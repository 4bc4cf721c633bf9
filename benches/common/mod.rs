//! What both benchmarks print about the machine before their numbers.

/// The 1-minute load average (Linux); other work on the machine skews timings.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
        .unwrap_or(f64::NAN)
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

pub fn busy_note(load: f64) -> &'static str {
    if load > 0.5 * cores() as f64 { " (busy machine: expect noisy numbers)" } else { "" }
}

/// A whole number with thousands separators: `1,234,567` (not every bench
/// prints one).
#[allow(dead_code)]
pub fn thousands(x: f64) -> String {
    let s = format!("{x:.0}");
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
