//! Streaming CSV output of scores and relevances, shortest round-trip floats.

use crate::error::{Error, Result};
use crate::explainer::Prediction;
use ndarray::{ArrayView1, ArrayView2};
use std::io::Write;

/// Formats rows of the output table as CSV bytes; shared by the threads that format.
#[derive(Debug, Clone)]
pub struct RowFormatter {
    delimiter: u8,
    /// Names of the labels of a `Prediction::Labels` (a classifier's classes).
    labels: Option<Vec<String>>,
}

impl RowFormatter {
    /// Rows with this delimiter, label `k` of a prediction written as `labels[k]` (else as
    /// the number `k`).
    pub fn new(delimiter: u8, labels: Option<Vec<String>>) -> Self {
        RowFormatter { delimiter, labels }
    }

    /// Append rows to `out`: kept cells (row-major), the prediction, the explained output,
    /// and the relevance columns when given. Cells are quoted where CSV needs it.
    pub fn format(
        &self,
        out: &mut Vec<u8>,
        kept: &[Vec<u8>],
        prediction: &Prediction,
        output: ArrayView1<f64>,
        relevance: Option<ArrayView2<f64>>,
    ) -> Result<()> {
        let n = output.len();
        let n_kept = kept.len().checked_div(n).unwrap_or(0);
        let mut writer = self.csv_writer(out);
        let mut record = csv::ByteRecord::new();
        let mut floats = ryu::Buffer::new();
        let mut ints = itoa::Buffer::new();
        for r in 0..n {
            record.clear();
            for cell in &kept[r * n_kept..(r + 1) * n_kept] {
                record.push_field(cell);
            }
            match prediction {
                Prediction::Values(v) => record.push_field(format_float(&mut floats, v[r])),
                Prediction::Labels(v) => match self.labels.as_ref().and_then(|l| l.get(v[r])) {
                    Some(label) => record.push_field(label.as_bytes()),
                    None => record.push_field(ints.format(v[r]).as_bytes()),
                },
            }
            record.push_field(format_float(&mut floats, output[r]));
            if let Some(rel) = relevance {
                for &v in rel.row(r) {
                    record.push_field(format_float(&mut floats, v));
                }
            }
            writer
                .write_byte_record(&record)
                .map_err(|e| format_error(&e))?;
        }
        writer.flush().map_err(|e| format_error(&e.into()))
    }

    /// The header line of a table with these column names.
    fn header(&self, names: &[String]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut writer = self.csv_writer(&mut out);
        writer.write_record(names).map_err(|e| format_error(&e))?;
        writer.flush().map_err(|e| format_error(&e.into()))?;
        drop(writer);
        Ok(out)
    }

    fn csv_writer<'a>(&self, out: &'a mut Vec<u8>) -> csv::Writer<&'a mut Vec<u8>> {
        csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .buffer_capacity(1 << 16)
            .from_writer(out)
    }
}

/// Writing to memory fails only on a bug (records of unequal lengths).
fn format_error(error: &csv::Error) -> Error {
    Error::Csv {
        path: "<output>".to_string(),
        message: format!("could not format a row: {error}"),
    }
}

/// Writes the output table: the header, then rows formatted by a [`RowFormatter`] (here or
/// on other threads).
pub struct TableWriter<W: Write> {
    out: W,
    destination: String,
    formatter: RowFormatter,
    /// Rows formatted by [`TableWriter::write_rows`], reused.
    buffer: Vec<u8>,
}

impl<W: Write> TableWriter<W> {
    /// Start a table with `header`; `destination` names the output in errors.
    pub fn new(out: W, destination: String, delimiter: u8, header: &[String]) -> Result<Self> {
        let mut writer = TableWriter {
            out,
            destination,
            formatter: RowFormatter::new(delimiter, None),
            buffer: Vec::new(),
        };
        let line = writer.formatter.header(header)?;
        writer.write_bytes(&line)?;
        Ok(writer)
    }

    /// Write label `k` of a prediction as `labels[k]` instead of the number `k`.
    pub fn with_labels(mut self, labels: Option<Vec<String>>) -> Self {
        self.formatter.labels = labels;
        self
    }

    /// How this table's rows are formatted.
    pub fn formatter(&self) -> &RowFormatter {
        &self.formatter
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
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        self.formatter
            .format(&mut buffer, kept, prediction, output, relevance)?;
        let written = self.write_bytes(&buffer);
        self.buffer = buffer;
        written
    }

    /// Write rows formatted by [`TableWriter::formatter`].
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|e| Error::io(&self.destination, e))
    }

    /// Flush and hand back the underlying writer.
    pub fn finish(mut self) -> Result<W> {
        self.out
            .flush()
            .map_err(|e| Error::io(&self.destination, e))?;
        Ok(self.out)
    }
}

/// Shortest representation that parses back to the same f64 (`1.0`, `-0.25`, `1e300`).
fn format_float(buffer: &mut ryu::Buffer, value: f64) -> &[u8] {
    buffer.format(value).as_bytes()
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
