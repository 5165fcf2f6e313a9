//! Streaming CSV output of scores and relevances, shortest round-trip floats.

use crate::error::{Error, Result};
use crate::explainer::Prediction;
use ndarray::{ArrayView1, ArrayView2};
use std::io::Write;

/// Writes the output table row by row with one reused record buffer.
pub struct TableWriter<W: Write> {
    writer: csv::Writer<W>,
    record: csv::ByteRecord,
    destination: String,
    /// Names of the labels of a `Prediction::Labels` (a classifier's classes).
    labels: Option<Vec<String>>,
}

impl<W: Write> TableWriter<W> {
    /// Start a table with `header`; `destination` names the output in errors.
    pub fn new(out: W, destination: String, delimiter: u8, header: &[String]) -> Result<Self> {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .buffer_capacity(1 << 16)
            .from_writer(out);
        writer
            .write_record(header)
            .map_err(|e| write_error(&destination, e))?;
        Ok(TableWriter {
            writer,
            record: csv::ByteRecord::new(),
            destination,
            labels: None,
        })
    }

    /// Write label `k` of a prediction as `labels[k]` instead of the number `k`.
    pub fn with_labels(mut self, labels: Option<Vec<String>>) -> Self {
        self.labels = labels;
        self
    }

    /// Write rows: kept cells (row-major), the prediction, the explained output, and the
    /// relevance columns when given.
    pub fn write_rows(
        &mut self,
        kept: &[Vec<u8>],
        prediction: &Prediction,
        output: ArrayView1<f64>,
        relevance: Option<ArrayView2<f64>>,
    ) -> Result<()> {
        let n = output.len();
        let n_kept = kept.len().checked_div(n).unwrap_or(0);
        let mut floats = ryu::Buffer::new();
        let mut ints = itoa::Buffer::new();
        for r in 0..n {
            self.record.clear();
            for cell in &kept[r * n_kept..(r + 1) * n_kept] {
                self.record.push_field(cell);
            }
            match prediction {
                Prediction::Values(v) => self.record.push_field(format_float(&mut floats, v[r])),
                Prediction::Labels(v) => match self.labels.as_ref().and_then(|l| l.get(v[r])) {
                    Some(label) => self.record.push_field(label.as_bytes()),
                    None => self.record.push_field(ints.format(v[r]).as_bytes()),
                },
            }
            self.record.push_field(format_float(&mut floats, output[r]));
            if let Some(rel) = relevance {
                for &v in rel.row(r) {
                    self.record.push_field(format_float(&mut floats, v));
                }
            }
            self.writer
                .write_byte_record(&self.record)
                .map_err(|e| write_error(&self.destination, e))?;
        }
        Ok(())
    }

    /// Flush and hand back the underlying writer.
    pub fn finish(self) -> Result<W> {
        let destination = self.destination;
        self.writer
            .into_inner()
            .map_err(|e| Error::io(&destination, e.into_error()))
    }
}

/// Shortest representation that parses back to the same f64 (`1.0`, `-0.25`, `1e300`).
fn format_float(buffer: &mut ryu::Buffer, value: f64) -> &[u8] {
    buffer.format(value).as_bytes()
}

fn write_error(destination: &str, error: csv::Error) -> Error {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => Error::io(destination, e),
        other => Error::Csv {
            path: destination.to_string(),
            message: format!("{other:?}"),
        },
    }
}

/// The output header: kept columns, the prediction, the output, then `R_<feature>`.
pub fn output_header(
    kept: &[String],
    prediction_name: &str,
    output_name: &str,
    relevance_of: Option<&[String]>,
) -> Vec<String> {
    let mut header: Vec<String> = kept.to_vec();
    header.push(prediction_name.to_string());
    header.push(output_name.to_string());
    if let Some(names) = relevance_of {
        header.extend(names.iter().map(|n| format!("R_{n}")));
    }
    header
}
