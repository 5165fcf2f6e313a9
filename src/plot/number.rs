//! Numbers in captions and titles.

/// A short, readable number: 4 significant digits.
pub fn format_number(value: f64) -> String {
    if value == 0.0 {
        "0".to_string()
    } else if value.abs() >= 1e5 || value.abs() < 1e-3 {
        format!("{value:.3e}")
    } else {
        let digits = (3 - value.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{value:.digits$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(format_number(1.23456), "1.235");
        assert_eq!(format_number(123.456), "123.5");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(-0.012345), "-0.01235");
        assert_eq!(format_number(2.5e-7), "2.500e-7");
    }
}
