//! The one markdown table a run prints: a row per figure, the generated server
//! beside the hand-written one, with the target and whether it is met.

use std::time::Duration;

/// The table being built.
#[derive(Default)]
pub struct Table {
    rows: Vec<[String; 6]>,
}

/// A row's target: a check of a figure, or only text.
pub enum Target {
    /// Generated ÷ hand-written must be at least this.
    RatioAtLeast(f64),
    /// Generated ÷ hand-written must be at most this.
    RatioAtMost(f64),
    /// The generated figure must be at most this.
    AtMost(f64, String),
    /// No target.
    None,
}

impl Table {
    /// A row comparing the two servers on one figure: their medians, and
    /// the generated ÷ hand-written ratio of each repeat, which the target
    /// is checked on (its median); `show` formats a value.
    pub fn compare(
        &mut self,
        what: &str,
        (generated, hand_written): (f64, f64),
        ratios: &[f64],
        show: fn(f64) -> String,
        target: Target,
    ) {
        let ratio = median(ratios);
        let (target_text, met) = match target {
            Target::RatioAtLeast(min) => (format!("≥ {min}×"), Some(ratio >= min)),
            Target::RatioAtMost(max) => (format!("≤ {max}×"), Some(ratio <= max)),
            Target::AtMost(max, text) => (text, Some(generated <= max)),
            Target::None => (String::new(), None),
        };
        self.rows.push([
            what.to_owned(),
            show(generated),
            show(hand_written),
            self::ratio(ratios),
            target_text,
            verdict(met),
        ]);
    }

    /// A row with free-form cells: what, generated, hand-written, ratio,
    /// target, and whether it is met (if it is checked).
    pub fn row(&mut self, cells: [&str; 5], met: Option<bool>) {
        let [what, generated, hand_written, ratio, target] = cells.map(str::to_owned);
        self.rows
            .push([what, generated, hand_written, ratio, target, verdict(met)]);
    }

    /// The table as markdown.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "| measurement | generated (`search`) | hand-written | generated ÷ hand-written | target | met |\n\
             |---|---:|---:|---:|---|:---:|\n",
        );
        for row in &self.rows {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        out
    }
}

fn verdict(met: Option<bool>) -> String {
    match met {
        Some(true) => "yes".to_owned(),
        Some(false) => "**no**".to_owned(),
        None => String::new(),
    }
}

/// The median of `ratios`, with their range when there are several.
pub fn ratio(ratios: &[f64]) -> String {
    let mut sorted = ratios.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted[..] {
        [] => String::new(),
        [only] => format!("{only:.2}×"),
        [first, .., last] => format!("{:.2}× ({first:.2}–{last:.2})", median(&sorted)),
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Calls per second, with thousands separators.
pub fn rate(per_second: f64) -> String {
    format!("{}/s", thousands(per_second.round() as u64))
}

/// A duration given in seconds, in µs below 1 ms, in ms below 1 s.
pub fn seconds(value: f64) -> String {
    duration(Duration::from_secs_f64(value))
}

/// A duration, in µs below 1 ms, in ms below 1 s.
pub fn duration(value: Duration) -> String {
    let micros = value.as_secs_f64() * 1e6;
    if micros < 1_000.0 {
        format!("{micros:.0} µs")
    } else if micros < 1_000_000.0 {
        format!("{:.2} ms", micros / 1e3)
    } else {
        format!("{:.2} s", micros / 1e6)
    }
}

/// A size given in KiB, in MiB.
pub fn mib(kib: f64) -> String {
    format!("{:.1} MiB", kib / 1024.0)
}

/// `1234567` as `1,234,567`.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
