//! The bundled font: DejaVu Sans (Bitstream Vera licence, `assets/fonts/DejaVuSans.LICENSE`),
//! registered with plotters' ab_glyph text renderer once per process.

use crate::cli::{CliError, CliResult as Result};
use plotters::style::FontStyle;
use std::sync::OnceLock;

/// The family name every figure asks for.
pub const FAMILY: &str = "sans-serif";

static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Register the bundled font under [`FAMILY`] (idempotent; cheap after the first call).
pub fn register() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(CliError::Plot(
            "the bundled font could not be loaded".to_string(),
        ))
    }
}
