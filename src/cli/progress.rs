//! A progress line on stderr (rows done, rows/s), only when stderr is a terminal.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How often the line is rewritten.
const EVERY: Duration = Duration::from_millis(500);

/// Counts rows and rewrites one stderr line with `\r` about twice a second. When dropped
/// after having drawn, it draws the final count and ends the line, so that whatever follows
/// on stderr (a summary or an error) starts on a fresh line.
pub struct Progress {
    enabled: bool,
    start: Instant,
    last_draw: Instant,
    rows: u64,
    drawn: bool,
}

impl Progress {
    /// Enabled unless `quiet` or stderr is not a terminal (a file, a pipe, a test harness).
    pub fn new(quiet: bool) -> Self {
        let now = Instant::now();
        Progress {
            enabled: !quiet && std::io::stderr().is_terminal(),
            start: now,
            last_draw: now,
            rows: 0,
            drawn: false,
        }
    }

    /// Count `rows` more rows done; redraw if the last redraw is old enough.
    pub fn add(&mut self, rows: usize) {
        self.rows += rows as u64;
        if self.enabled && self.last_draw.elapsed() >= EVERY {
            self.draw();
        }
    }

    fn draw(&mut self) {
        self.last_draw = Instant::now();
        self.drawn = true;
        let seconds = self.start.elapsed().as_secs_f64();
        eprint!("\r{}", status_line(self.rows, seconds));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.drawn {
            self.draw();
            eprintln!();
        }
    }
}

/// `1,234,567 rows, 45,678 rows/s`.
fn status_line(rows: u64, seconds: f64) -> String {
    let rate = if seconds > 0.0 {
        (rows as f64 / seconds) as u64
    } else {
        0
    };
    format!("{} rows, {} rows/s", grouped(rows), grouped(rate))
}

/// Thousands separated by commas.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn status_line_shows_rows_and_rate() {
        assert_eq!(status_line(20_000, 2.0), "20,000 rows, 10,000 rows/s");
        assert_eq!(status_line(5, 0.0), "5 rows, 0 rows/s");
    }
}
