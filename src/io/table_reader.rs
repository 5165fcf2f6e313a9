//! Streaming CSV input: a header, then numeric feature cells read chunk by chunk.

use super::columns::{plan_columns, ColumnPlan, ColumnRequest};
use super::Endpoint;
use crate::error::{Error, Result};
use csv::ByteRecord;
use ndarray::Array2;
use std::io::Read;

/// A chunk of input rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// Feature values, rows x model features (model order).
    pub features: Array2<f64>,
    /// Pass-through cells, row-major (rows x kept columns), unchanged bytes.
    pub kept: Vec<Vec<u8>>,
    /// The 1-based line of the file on which each row starts (the header is line 1).
    pub lines: Vec<u64>,
}

impl Chunk {
    pub fn n_rows(&self) -> usize {
        self.features.nrows()
    }

    /// Turn an error about row `r` of this chunk into one naming `source` and the row's line.
    pub fn locate(&self, source: &str, error: Error) -> Error {
        match error {
            Error::NonFinite { row, message } if row < self.lines.len() => Error::Csv {
                path: source.to_string(),
                message: format!("line {}: {message}", self.lines[row]),
            },
            other => other,
        }
    }
}

/// Reads a CSV table with a header, one reused record buffer, chunks of rows at a time.
pub struct TableReader {
    reader: csv::Reader<Box<dyn Read + Send>>,
    source: String,
    header: Vec<String>,
    plan: ColumnPlan,
    record: ByteRecord,
}

impl TableReader {
    /// Open `input` (a path or stdin) and match its header against `request`.
    pub fn open(input: &Endpoint, delimiter: u8, request: &ColumnRequest<'_>) -> Result<Self> {
        let (stream, source) = open_stream(input)?;
        Self::from_reader(stream, source, delimiter, request)
    }

    /// Read from any stream; `source` names it in errors.
    pub fn from_reader(
        stream: Box<dyn Read + Send>,
        source: String,
        delimiter: u8,
        request: &ColumnRequest<'_>,
    ) -> Result<Self> {
        Self::with_plan(stream, source, delimiter, |_| request.clone())
    }

    /// Open `input` taking every column as a feature, in header order (training data).
    pub fn open_all_features(input: &Endpoint, delimiter: u8) -> Result<Self> {
        let (stream, source) = open_stream(input)?;
        Self::with_plan(stream, source, delimiter, |header| ColumnRequest {
            model_names: None,
            n_features: header.len(),
            keep: &[],
            ignore_extra: false,
        })
    }

    /// Read the header, then plan the columns with the request `request_for(header)`.
    fn with_plan<'r>(
        stream: Box<dyn Read + Send>,
        source: String,
        delimiter: u8,
        request_for: impl FnOnce(&[String]) -> ColumnRequest<'r>,
    ) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_reader(stream);
        let header = read_header_record(&mut reader, &source)?;
        let plan = plan_columns(&source, &header, &request_for(&header))?;
        Ok(TableReader {
            reader,
            source,
            header,
            plan,
            record: ByteRecord::new(),
        })
    }

    /// The column plan (feature names in model order, kept columns).
    pub fn plan(&self) -> &ColumnPlan {
        &self.plan
    }

    /// The name of the input in messages.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Read up to `max_rows` rows; an empty chunk means the end of the input.
    pub fn read_chunk(&mut self, max_rows: usize) -> Result<Chunk> {
        let d = self.plan.feature_columns.len();
        let mut values = Vec::with_capacity(max_rows.min(1 << 16) * d);
        let mut kept = Vec::new();
        let mut lines = Vec::with_capacity(max_rows.min(1 << 16));
        let mut rows = 0;
        while rows < max_rows {
            let more = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|e| csv_failure(&self.source, e))?;
            if !more {
                break;
            }
            let line = self.record.position().map_or(0, |p| p.line());
            if self.record.len() != self.header.len() {
                return Err(Error::Csv {
                    path: self.source.clone(),
                    message: format!(
                        "line {line}: has {} field(s), the header has {}",
                        self.record.len(),
                        self.header.len()
                    ),
                });
            }
            for &c in &self.plan.feature_columns {
                let value = parse_cell(&self.record[c]).map_err(|reason| Error::Csv {
                    path: self.source.clone(),
                    message: format!("line {line}, column {:?}: {reason}", self.header[c]),
                })?;
                values.push(value);
            }
            for &c in &self.plan.kept_columns {
                kept.push(self.record[c].to_vec());
            }
            lines.push(line);
            rows += 1;
        }
        Ok(Chunk {
            features: Array2::from_shape_vec((rows, d), values).expect("rows x d values"),
            kept,
            lines,
        })
    }
}

/// Read a whole numeric table whose every column is a feature: (header, rows x columns).
pub fn read_numeric_table(input: &Endpoint, delimiter: u8) -> Result<(Vec<String>, Array2<f64>)> {
    let mut reader = TableReader::open_all_features(input, delimiter)?;
    let names = reader.plan().feature_names.clone();
    let mut rows = Array2::zeros((0, names.len()));
    loop {
        let chunk = reader.read_chunk(1 << 14)?;
        if chunk.n_rows() == 0 {
            return Ok((names, rows));
        }
        rows.append(ndarray::Axis(0), chunk.features.view())
            .expect("chunks have the header's width");
    }
}

/// The header of a CSV table (names trimmed), without reading its rows.
pub fn read_header(input: &Endpoint, delimiter: u8) -> Result<Vec<String>> {
    let (stream, source) = open_stream(input)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_reader(stream);
    read_header_record(&mut reader, &source)
}

/// Read and check the header line: not empty, valid UTF-8; names trimmed.
fn read_header_record<R: Read>(reader: &mut csv::Reader<R>, source: &str) -> Result<Vec<String>> {
    let header_record = reader
        .byte_headers()
        .map_err(|e| csv_failure(source, e))?
        .clone();
    if header_record.is_empty() || (header_record.len() == 1 && header_record[0].is_empty()) {
        return Err(Error::Csv {
            path: source.to_string(),
            message: "the file is empty (expected a header line)".to_string(),
        });
    }
    header_record
        .iter()
        .enumerate()
        .map(|(i, h)| {
            std::str::from_utf8(h)
                .map(|s| s.trim().to_string())
                .map_err(|_| Error::Csv {
                    path: source.to_string(),
                    message: format!("line 1, column {}: the header is not valid UTF-8", i + 1),
                })
        })
        .collect::<Result<Vec<_>>>()
}

/// The byte stream of a path or stdin, and its name in messages.
fn open_stream(input: &Endpoint) -> Result<(Box<dyn Read + Send>, String)> {
    let stream: Box<dyn Read + Send> = match input {
        Endpoint::Std => Box::new(std::io::stdin()),
        Endpoint::Path(path) => {
            Box::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?)
        }
    };
    Ok((stream, input.label("<stdin>")))
}

/// Parse one numeric cell: surrounding spaces allowed; empty, non-numeric, NaN and infinite
/// cells are errors (no silent imputation). The error is the reason, quoting the cell.
fn parse_cell(cell: &[u8]) -> std::result::Result<f64, String> {
    let quoted = || format!("{:?}", String::from_utf8_lossy(cell));
    let text = std::str::from_utf8(cell).map_err(|_| format!("not valid UTF-8: {}", quoted()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err("empty cell (missing values are not imputed)".to_string());
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("not a finite number: {}", quoted())),
        Err(_) => Err(format!("not a number: {}", quoted())),
    }
}

fn csv_failure(source: &str, error: csv::Error) -> Error {
    let message = match error.position() {
        Some(p) => format!("line {}: {}", p.line(), error.kind_message()),
        None => error.kind_message(),
    };
    Error::Csv {
        path: source.to_string(),
        message,
    }
}

trait KindMessage {
    fn kind_message(&self) -> String;
}

impl KindMessage for csv::Error {
    fn kind_message(&self) -> String {
        match self.kind() {
            csv::ErrorKind::Io(e) => format!("read error: {e}"),
            csv::ErrorKind::Utf8 { err, .. } => format!("invalid UTF-8: {err}"),
            _ => self.to_string(),
        }
    }
}
