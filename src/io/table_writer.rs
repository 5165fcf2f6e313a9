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
    /// and the relevance columns when given. A cell is quoted exactly where the `csv`
    /// crate's writer quotes it (see [`CellWriter`]).
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
        let d = relevance.map_or(0, |r| r.ncols());
        out.reserve(n * (n_kept * 8 + (d + 2) * 24));
        let cells = CellWriter::new(self.delimiter);
        let mut floats = ryu::Buffer::new();
        let mut ints = itoa::Buffer::new();
        for r in 0..n {
            for cell in &kept[r * n_kept..(r + 1) * n_kept] {
                cells.cell(out, cell);
                out.push(self.delimiter);
            }
            match prediction {
                Prediction::Values(v) => cells.cell(out, format_float(&mut floats, v[r])),
                Prediction::Labels(v) => match self.labels.as_ref().and_then(|l| l.get(v[r])) {
                    Some(label) => cells.cell(out, label.as_bytes()),
                    None => cells.cell(out, ints.format(v[r]).as_bytes()),
                },
            }
            out.push(self.delimiter);
            cells.cell(out, format_float(&mut floats, output[r]));
            if let Some(rel) = relevance {
                for &v in rel.row(r) {
                    out.push(self.delimiter);
                    cells.cell(out, format_float(&mut floats, v));
                }
            }
            out.push(b'\n');
        }
        Ok(())
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

/// Writes one cell as the `csv` crate's writer does (quote style "necessary", terminator
/// `\n`): in double quotes, with quotes doubled, when it holds the delimiter, a quote, `\r`
/// or `\n`; as is otherwise.
struct CellWriter {
    /// The bytes that make a cell need quotes.
    special: [bool; 256],
}

impl CellWriter {
    fn new(delimiter: u8) -> Self {
        let mut special = [false; 256];
        for b in [delimiter, b'"', b'\r', b'\n'] {
            special[usize::from(b)] = true;
        }
        CellWriter { special }
    }

    fn cell(&self, out: &mut Vec<u8>, cell: &[u8]) {
        if !cell.iter().any(|&b| self.special[usize::from(b)]) {
            out.extend_from_slice(cell);
            return;
        }
        out.push(b'"');
        for part in cell.split_inclusive(|&b| b == b'"') {
            out.extend_from_slice(part);
            if part.last() == Some(&b'"') {
                out.push(b'"');
            }
        }
        out.push(b'"');
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array1};

    /// The rows as the `csv` crate's writer writes them.
    fn by_csv(delimiter: u8, rows: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(&mut out);
        for row in rows {
            writer.write_record(row).unwrap();
        }
        writer.flush().unwrap();
        drop(writer);
        out
    }

    #[test]
    fn cells_are_quoted_as_the_csv_crate_quotes_them() {
        let cells: Vec<&[u8]> = vec![
            b"",
            b"a",
            b"a,b",
            b"a;b",
            b"\"",
            b"a\"\"b",
            b"line\nbreak",
            b"cr\rlf\r\n",
            b" x ",
            b"1.5e-7",
            b"-0.25",
            b"\xff\xfe",
            b"#",
            b"e",
        ];
        for delimiter in [b',', b';', b'\t', b'e', b'.', b'-', b'1', b' '] {
            let formatter = RowFormatter::new(delimiter, Some(vec!["l,0".into(), "l\"1".into()]));
            for (i, cell) in cells.iter().enumerate() {
                let other = cells[(i * 7 + 3) % cells.len()];
                let kept = vec![cell.to_vec(), other.to_vec()];
                let output: Array1<f64> = array![-1.5e-300];
                let relevance = array![[0.1, -2.0, 1e21]];
                for prediction in [
                    Prediction::Values(array![123.25]),
                    Prediction::Labels(vec![i % 3]),
                ] {
                    let mut mine = Vec::new();
                    formatter
                        .format(
                            &mut mine,
                            &kept,
                            &prediction,
                            output.view(),
                            Some(relevance.view()),
                        )
                        .unwrap();
                    let shown = match &prediction {
                        Prediction::Values(v) => {
                            ryu::Buffer::new().format(v[0]).as_bytes().to_vec()
                        }
                        Prediction::Labels(v) => match v[0] {
                            0 => b"l,0".to_vec(),
                            1 => b"l\"1".to_vec(),
                            k => k.to_string().into_bytes(),
                        },
                    };
                    let mut row = kept.clone();
                    row.push(shown);
                    for v in [-1.5e-300, 0.1, -2.0, 1e21] {
                        row.push(ryu::Buffer::new().format(v).as_bytes().to_vec());
                    }
                    assert_eq!(mine, by_csv(delimiter, &[row]), "{cell:?} {delimiter}");
                }
            }
        }
    }
}
