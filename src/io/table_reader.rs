//! Streaming CSV input: a header (or none, `--no-header`), then numeric feature cells read
//! chunk by chunk. Every message names the physical line of the file (LF, CRLF and CR
//! endings, blank lines counted) and quotes at most 80 characters of a cell.

use super::columns::{plan_by_position, plan_columns, ColumnPlan, ColumnRequest};
use super::csv_records::Records;
use super::csv_split::{RawBlock, Splitter};
use super::{quote, Endpoint};
use crate::error::{Error, Result};
use ndarray::Array2;
use std::io::Read;

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

/// Reads a CSV table: its header (or first row), then blocks of rows, parsed here
/// ([`TableReader::read_chunk`]) or, split with [`TableReader::into_parts`], on other threads.
pub struct TableReader {
    blocks: BlockSource,
    parser: BlockParser,
}

/// The raw blocks of rows of a table, after its header.
pub struct BlockSource {
    splitter: Splitter,
    /// Without a header: the block holding the first row, read to learn the width.
    pending: Option<RawBlock>,
}

impl BlockSource {
    /// The next block of at most `max_rows` rows (`max_rows` >= 1); a block without rows
    /// means the end of the input. `buffer` (the bytes of a used block, or a new vector)
    /// holds it.
    pub fn next_block(&mut self, max_rows: usize, buffer: Vec<u8>) -> Result<RawBlock> {
        match self.pending.take() {
            None => self.splitter.next_block(max_rows, buffer),
            Some(mut block) => {
                self.splitter.fill(&mut block, max_rows)?;
                self.splitter.finish(&block);
                Ok(block)
            }
        }
    }
}

/// Turns raw blocks of a table into [`Chunk`]s: shared by the threads that parse.
#[derive(Debug, Clone)]
pub struct BlockParser {
    source: String,
    delimiter: u8,
    /// The header's names (trimmed), `None` without a header.
    header: Option<Vec<String>>,
    /// Fields per row: the header's, else the first row's.
    width: usize,
    plan: ColumnPlan,
}

impl BlockParser {
    /// The rows of `block`: features parsed, kept cells copied, lines noted. Errors name the
    /// row's line and the column.
    pub fn parse(&self, block: &RawBlock) -> Result<Chunk> {
        let d = self.plan.feature_columns.len();
        let mut values = Vec::with_capacity(block.records * d);
        let mut kept = Vec::with_capacity(block.records * self.plan.kept_columns.len());
        let mut lines = Vec::with_capacity(block.records);
        let mut records = Records::new(block, self.delimiter);
        while let Some(line) = records.next_record() {
            if records.n_fields() != self.width {
                let what = if self.header.is_some() {
                    "the header"
                } else {
                    "the first row"
                };
                return Err(Error::Csv {
                    path: self.source.clone(),
                    message: format!(
                        "line {line}: has {} field(s), {what} has {}",
                        records.n_fields(),
                        self.width
                    ),
                });
            }
            for &c in &self.plan.feature_columns {
                let value = parse_cell(records.field(c)).map_err(|reason| Error::Csv {
                    path: self.source.clone(),
                    message: format!("line {line}, column {}: {reason}", self.column_name(c)),
                })?;
                values.push(value);
            }
            for &c in &self.plan.kept_columns {
                kept.push(records.field(c).to_vec());
            }
            lines.push(line);
        }
        let rows = lines.len();
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
        let mut splitter = Splitter::new(stream, source.clone(), format.delimiter);
        let mut first = splitter.start_block(Vec::new());
        splitter.fill(&mut first, 1)?;
        let mut records = Records::new(&first, format.delimiter);
        let first_line = records.next_record();
        let parser = if format.header {
            let Some(line) = first_line else {
                return Err(Error::Csv {
                    path: source,
                    message: "the file is empty (expected a header line)".to_string(),
                });
            };
            let header = header_names(&records, &source, line)?;
            let request = request_for(header.len());
            refuse_numeric_header(&header, &request, &source, line, format)?;
            let plan = plan_columns(&source, &header, &request)?;
            BlockParser {
                source,
                delimiter: format.delimiter,
                width: header.len(),
                header: Some(header),
                plan,
            }
        } else {
            let width = match first_line {
                Some(_) => records.n_fields(),
                None => request_for(0).n_features,
            };
            let request = request_for(width);
            let plan = plan_by_position(&source, width, &request)?;
            BlockParser {
                source,
                delimiter: format.delimiter,
                header: None,
                width,
                plan,
            }
        };
        let pending = if format.header {
            splitter.finish(&first);
            None
        } else {
            // The first row is data: it starts the first block.
            Some(first)
        };
        Ok(TableReader {
            blocks: BlockSource { splitter, pending },
            parser,
        })
    }

    /// The column plan (feature names in model order, kept columns).
    pub fn plan(&self) -> &ColumnPlan {
        &self.parser.plan
    }

    /// The name of the input in messages.
    pub fn source(&self) -> &str {
        &self.parser.source
    }

    /// The header's names, `None` for a table read with `--no-header`.
    pub fn header(&self) -> Option<&[String]> {
        self.parser.header.as_deref()
    }

    /// Read up to `max_rows` rows (at least one); an empty chunk means the end of the input.
    pub fn read_chunk(&mut self, max_rows: usize) -> Result<Chunk> {
        let block = self.blocks.next_block(max_rows, Vec::new())?;
        self.parser.parse(&block)
    }

    /// The raw blocks and their parser, to read and parse on different threads.
    pub fn into_parts(self) -> (BlockSource, BlockParser) {
        (self.blocks, self.parser)
    }
}

/// The names of a header record, trimmed; valid UTF-8.
fn header_names(record: &Records<'_>, source: &str, line: u64) -> Result<Vec<String>> {
    (0..record.n_fields())
        .map(|i| (i, record.field(i)))
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
    Ok(reader.parser.header.unwrap_or_default())
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
