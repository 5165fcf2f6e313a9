//! Streaming CSV input: a header (or none, `--no-header`), then numeric feature cells read
//! chunk by chunk. Every message names the physical line of the file (LF, CRLF and CR
//! endings, blank lines counted) and quotes at most 80 characters of a cell.

use super::columns::{plan_by_position, plan_columns, ColumnPlan, ColumnRequest};
use super::{quote, Endpoint};
use crate::error::{Error, Result};
use csv::ByteRecord;
use ndarray::Array2;
use std::collections::VecDeque;
use std::io::Read;

/// Bytes the CSV parser buffers ahead of what it has parsed.
const BUFFER: usize = 1 << 16;

/// How a CSV table is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvFormat {
    /// The field delimiter.
    pub delimiter: u8,
    /// Whether the first line is a header; `false` (`--no-header`) matches columns by
    /// position and reads the first line as data.
    pub header: bool,
    /// Whether the command has a `--no-header` option (offered in the error about a first
    /// line of numbers).
    pub offers_no_header: bool,
}

impl CsvFormat {
    /// A table with a header, read by a command that offers `--no-header`.
    pub fn new(delimiter: u8, no_header: bool) -> Self {
        CsvFormat {
            delimiter,
            header: !no_header,
            offers_no_header: true,
        }
    }
}

/// A chunk of input rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// Feature values, rows x model features (model order).
    pub features: Array2<f64>,
    /// Pass-through cells, row-major (rows x kept columns), unchanged bytes.
    pub kept: Vec<Vec<u8>>,
    /// The 1-based physical line of the file on which each row starts.
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
            Error::Input {
                row: Some(row),
                message,
            } if row < self.lines.len() => Error::Csv {
                path: source.to_string(),
                message: format!("line {}: {message}", self.lines[row]),
            },
            other => other,
        }
    }
}

/// Reads a CSV table, one reused record buffer, chunks of rows at a time.
pub struct TableReader {
    reader: csv::Reader<LineCounter<Box<dyn Read + Send>>>,
    source: String,
    /// The header's names (trimmed), `None` without a header.
    header: Option<Vec<String>>,
    /// Fields per row: the header's, else the first row's.
    width: usize,
    plan: ColumnPlan,
    record: ByteRecord,
    /// Without a header: the first row (and its line), read to learn the width.
    pending: Option<(ByteRecord, u64)>,
}

impl TableReader {
    /// Open `input` (a path or stdin) and match its header against `request`.
    pub fn open(input: &Endpoint, format: CsvFormat, request: &ColumnRequest<'_>) -> Result<Self> {
        let (stream, source) = open_stream(input)?;
        Self::from_reader(stream, source, format, request)
    }

    /// Read from any stream; `source` names it in errors.
    pub fn from_reader(
        stream: Box<dyn Read + Send>,
        source: String,
        format: CsvFormat,
        request: &ColumnRequest<'_>,
    ) -> Result<Self> {
        Self::with_plan(stream, source, format, |_| request.clone())
    }

    /// Open `input` taking every column as a feature, in header order (training data).
    pub fn open_all_features(input: &Endpoint, format: CsvFormat) -> Result<Self> {
        let (stream, source) = open_stream(input)?;
        Self::with_plan(stream, source, format, |width| ColumnRequest {
            model_names: None,
            n_features: width,
            keep: &[],
            ignore_extra: false,
        })
    }

    /// Read the header (or the first row), then plan the columns with the request
    /// `request_for(width)`.
    fn with_plan<'r>(
        stream: Box<dyn Read + Send>,
        source: String,
        format: CsvFormat,
        request_for: impl Fn(usize) -> ColumnRequest<'r>,
    ) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(format.delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(BUFFER)
            .from_reader(LineCounter::new(stream));
        let mut record = ByteRecord::new();
        let first = read_record(&mut reader, &mut record, &source)?;
        if format.header {
            let Some(line) = first else {
                return Err(Error::Csv {
                    path: source,
                    message: "the file is empty (expected a header line)".to_string(),
                });
            };
            let header = header_names(&record, &source, line)?;
            let request = request_for(header.len());
            refuse_numeric_header(&header, &request, &source, line, format)?;
            let plan = plan_columns(&source, &header, &request)?;
            Ok(TableReader {
                reader,
                source,
                width: header.len(),
                header: Some(header),
                plan,
                record,
                pending: None,
            })
        } else {
            let width = match first {
                Some(_) => record.len(),
                None => request_for(0).n_features,
            };
            let request = request_for(width);
            let plan = plan_by_position(&source, width, &request)?;
            Ok(TableReader {
                reader,
                source,
                header: None,
                width,
                plan,
                pending: first.map(|line| (record, line)),
                record: ByteRecord::new(),
            })
        }
    }

    /// The column plan (feature names in model order, kept columns).
    pub fn plan(&self) -> &ColumnPlan {
        &self.plan
    }

    /// The name of the input in messages.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The header's names, `None` for a table read with `--no-header`.
    pub fn header(&self) -> Option<&[String]> {
        self.header.as_deref()
    }

    /// Read up to `max_rows` rows; an empty chunk means the end of the input.
    pub fn read_chunk(&mut self, max_rows: usize) -> Result<Chunk> {
        let d = self.plan.feature_columns.len();
        let mut values = Vec::with_capacity(max_rows.min(1 << 16) * d);
        let mut kept = Vec::new();
        let mut lines = Vec::with_capacity(max_rows.min(1 << 16));
        let mut rows = 0;
        while rows < max_rows {
            let line = match self.pending.take() {
                Some((record, line)) => {
                    self.record = record;
                    line
                }
                None => match read_record(&mut self.reader, &mut self.record, &self.source)? {
                    Some(line) => line,
                    None => break,
                },
            };
            if self.record.len() != self.width {
                let what = if self.header.is_some() {
                    "the header"
                } else {
                    "the first row"
                };
                return Err(Error::Csv {
                    path: self.source.clone(),
                    message: format!(
                        "line {line}: has {} field(s), {what} has {}",
                        self.record.len(),
                        self.width
                    ),
                });
            }
            for &c in &self.plan.feature_columns {
                let value = parse_cell(&self.record[c]).map_err(|reason| Error::Csv {
                    path: self.source.clone(),
                    message: format!("line {line}, column {}: {reason}", self.column_name(c)),
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

    /// Column `c` in messages: its quoted header name, else its 1-based position.
    fn column_name(&self, c: usize) -> String {
        match &self.header {
            Some(header) => quote(header[c].as_bytes()),
            None => format!("{}", c + 1),
        }
    }
}

/// Read the next record into `record`; its physical line, or `None` at the end.
fn read_record(
    reader: &mut csv::Reader<LineCounter<Box<dyn Read + Send>>>,
    record: &mut ByteRecord,
    source: &str,
) -> Result<Option<u64>> {
    let more = reader
        .read_byte_record(record)
        .map_err(|e| csv_failure(source, e))?;
    if !more {
        return Ok(None);
    }
    let end = reader.position().byte();
    Ok(Some(reader.get_mut().record_line(end, record)))
}

/// The names of a header record, trimmed; valid UTF-8.
fn header_names(record: &ByteRecord, source: &str, line: u64) -> Result<Vec<String>> {
    record
        .iter()
        .enumerate()
        .map(|(i, h)| {
            std::str::from_utf8(h)
                .map(|s| s.trim().to_string())
                .map_err(|_| Error::Csv {
                    path: source.to_string(),
                    message: format!(
                        "line {line}, column {}: the header is not valid UTF-8: {}",
                        i + 1,
                        quote(h)
                    ),
                })
        })
        .collect()
}

/// A header whose every name is a number (or empty) is a data row of a file without a
/// header: refused, rather than losing that row, unless the model's feature names are all
/// among its names.
fn refuse_numeric_header(
    header: &[String],
    request: &ColumnRequest<'_>,
    source: &str,
    line: u64,
    format: CsvFormat,
) -> Result<()> {
    let numeric = |name: &String| name.parse::<f64>().is_ok();
    let looks_like_data =
        header.iter().any(numeric) && header.iter().all(|n| n.is_empty() || numeric(n));
    if !looks_like_data {
        return Ok(());
    }
    let names: std::collections::HashSet<&str> = header.iter().map(String::as_str).collect();
    if request
        .model_names
        .is_some_and(|model| model.iter().all(|n| names.contains(n.as_str())))
    {
        return Ok(());
    }
    let remedy = if format.offers_no_header {
        "add a header row naming the columns, or pass --no-header to match columns by position"
    } else {
        "add a header row naming the columns"
    };
    Err(Error::Csv {
        path: source.to_string(),
        message: format!(
            "line {line}: the first line holds only numbers (starting {}), so it is a data row, not a header: {remedy}",
            quote(header[0].as_bytes())
        ),
    })
}

/// Read a whole numeric table whose every column is a feature: (header, rows x columns);
/// the header is `None` with `--no-header`.
pub fn read_numeric_table(
    input: &Endpoint,
    format: CsvFormat,
) -> Result<(Option<Vec<String>>, Array2<f64>)> {
    let mut reader = TableReader::open_all_features(input, format)?;
    let names = reader.header().map(<[String]>::to_vec);
    let mut rows = Array2::zeros((0, reader.plan().feature_columns.len()));
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
pub fn read_header(input: &Endpoint, format: CsvFormat) -> Result<Vec<String>> {
    let (stream, source) = open_stream(input)?;
    let format = CsvFormat {
        header: true,
        ..format
    };
    let reader = TableReader::with_plan(stream, source, format, |width| ColumnRequest {
        model_names: None,
        n_features: width,
        keep: &[],
        ignore_extra: true,
    })?;
    Ok(reader.header.unwrap_or_default())
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
/// cells are errors (no silent imputation). The error is the reason, quoting at most 80
/// characters of the cell.
fn parse_cell(cell: &[u8]) -> std::result::Result<f64, String> {
    let Ok(text) = std::str::from_utf8(cell) else {
        return Err(format!("not valid UTF-8: {}", quote(cell)));
    };
    let text = text.trim();
    if text.is_empty() {
        return Err("empty cell (missing values are not imputed)".to_string());
    }
    // No number has a longer shortest form than this; a longer cell is not read as one
    // (rust's parser would accept a megabyte of digits, slowly).
    const LONGEST_NUMBER: usize = 1 << 12;
    if text.len() > LONGEST_NUMBER {
        return Err(format!("not a number: {}", quote(cell)));
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("not a finite number: {}", quote(cell))),
        Err(_) => Err(format!("not a number: {}", quote(cell))),
    }
}

fn csv_failure(source: &str, error: csv::Error) -> Error {
    let message = match error.kind() {
        csv::ErrorKind::Io(e) => format!("read error: {e}"),
        _ => error.to_string(),
    };
    Error::Csv {
        path: source.to_string(),
        message,
    }
}

/// A reader that notes where line breaks are, so that a record's physical line can be
/// told from the parser's byte position: `\n`, `\r\n` and a lone `\r` each end a line
/// (a `\r\n` break is placed at its `\r`). Only the breaks in the last bytes read are kept
/// (the parser never lags further behind), so memory does not grow with the input.
struct LineCounter<R> {
    inner: R,
    /// Bytes read so far.
    read: u64,
    /// Whether the last byte read was `\r`.
    after_cr: bool,
    /// Positions of the line breaks not yet counted, ascending.
    breaks: VecDeque<u64>,
    /// Line breaks before every position in `breaks`.
    counted: u64,
    /// The last break counted by [`LineCounter::record_line`] (to tell whether a record
    /// ended with a line break).
    last_counted: Option<u64>,
}

impl<R> LineCounter<R> {
    fn new(inner: R) -> Self {
        LineCounter {
            inner,
            read: 0,
            after_cr: false,
            breaks: VecDeque::new(),
            counted: 0,
            last_counted: None,
        }
    }

    /// The physical line on which `record` starts, given `end`, the parser's byte position
    /// just after it (past the first byte of its line break, if it has one). Calls come in
    /// file order.
    fn record_line(&mut self, end: u64, record: &ByteRecord) -> u64 {
        while let Some(&p) = self.breaks.front() {
            if p >= end {
                break;
            }
            self.breaks.pop_front();
            self.counted += 1;
            self.last_counted = Some(p);
        }
        // The record's own line break, and those inside its quoted fields.
        let own = u64::from(end > 0 && self.last_counted == Some(end - 1));
        // Only a quoted cell holds a line break: most records need no count.
        let inside: u64 = match memchr::memchr2(b'\n', b'\r', record.as_slice()) {
            None => 0,
            Some(_) => record.iter().map(count_breaks).sum(),
        };
        (self.counted + 1).saturating_sub(own + inside)
    }
}

/// Line breaks in `bytes` (`\r\n` counts once).
fn count_breaks(bytes: &[u8]) -> u64 {
    let mut count = 0;
    let mut after_cr = false;
    for &b in bytes {
        if b == b'\r' || (b == b'\n' && !after_cr) {
            count += 1;
        }
        after_cr = b == b'\r';
    }
    count
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = &buf[..n];
        for i in memchr::memchr2_iter(b'\n', b'\r', data) {
            let after_cr = if i == 0 {
                self.after_cr
            } else {
                data[i - 1] == b'\r'
            };
            if data[i] == b'\r' || !after_cr {
                self.breaks.push_back(self.read + i as u64);
            }
        }
        if let Some(&last) = data.last() {
            self.after_cr = last == b'\r';
        }
        self.read += n as u64;
        // The parser is never more than its buffer behind: breaks further back can be
        // counted now.
        let horizon = self.read.saturating_sub(4 * BUFFER as u64);
        while self.breaks.front().is_some_and(|&p| p < horizon) {
            let p = self.breaks.pop_front().expect("a front");
            self.counted += 1;
            self.last_counted = Some(p);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(data: &[u8], header: bool) -> Result<Vec<u64>> {
        let request = ColumnRequest {
            model_names: None,
            n_features: 1,
            keep: &[],
            ignore_extra: true,
        };
        let format = CsvFormat::new(b',', !header);
        let stream = Box::new(std::io::Cursor::new(data.to_vec()));
        let mut reader = TableReader::from_reader(stream, "t".into(), format, &request)?;
        Ok(reader.read_chunk(usize::MAX)?.lines)
    }

    #[test]
    fn physical_lines_for_every_ending() {
        for (data, expected) in [
            (&b"h\n1\n2\n"[..], vec![2, 3]),
            (b"h\r\n1\r\n2\r\n", vec![2, 3]),
            (b"h\r1\r2\r", vec![2, 3]),
            (b"h\n\n1\n\n\n2", vec![3, 6]),
            (b"h\r\n\r\n1\r\n\r\n2\r\n", vec![3, 5]),
            (b"h\r\r1\r\r\r2", vec![3, 6]),
            (b"\n\nh\n1\n", vec![4]),
            (b"h,k\n1,\"a\nb\"\n2,\"c\r\nd\re\"\n3,x\n", vec![2, 4, 7]),
        ] {
            assert_eq!(lines_of(data, true).unwrap(), expected, "{data:?}");
        }
        assert_eq!(lines_of(b"1\n\n2\r\n3", false).unwrap(), vec![1, 3, 4]);
    }

    #[test]
    fn physical_lines_far_into_a_long_file() {
        let mut data = b"h\r\n".to_vec();
        for i in 0..200_000 {
            data.extend_from_slice(if i % 3 == 0 { b"\r\n1\r\n" } else { b"2\r" });
        }
        let lines = lines_of(&data, true).unwrap();
        let mut line = 1;
        let mut expected = Vec::new();
        for i in 0..200_000 {
            if i % 3 == 0 {
                expected.push(line + 2);
                line += 2;
            } else {
                expected.push(line + 1);
                line += 1;
            }
        }
        assert_eq!(lines, expected);
    }

    #[test]
    fn long_cells_are_cut_in_messages() {
        let cell = "9".repeat(10 << 20) + "x";
        let err = parse_cell(cell.as_bytes()).unwrap_err();
        assert!(err.len() < 200, "{err}");
        assert!(err.contains(&format!("({} bytes)", cell.len())), "{err}");
        let err = parse_cell("é".repeat(100).as_bytes()).unwrap_err();
        assert!(err.contains("(200 bytes)"), "{err}");
        assert!(parse_cell(b"  1.5e3 ").unwrap() == 1500.0);
    }
}
