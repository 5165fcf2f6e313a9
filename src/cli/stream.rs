//! The streaming engine of every CSV-in, CSV-out command: options, the column plan, and the
//! loop that reads, processes and writes chunks of rows.

use super::progress::Progress;
use crate::io::atomic::{refuse_same_file, OutputFile};
use crate::io::columns::ColumnRequest;
use crate::io::csv_split::RawBlock;
use crate::io::table_reader::{Chunk, CsvFormat, TableReader};
use crate::io::table_writer::TableWriter;
use crate::io::Endpoint;
use crate::{Error, Explainer, Model, Result};
use std::io::Write;

/// Rows read, processed and written per step; memory does not grow with the input.
const STREAM_ROWS: usize = 4_096;

/// Where the rows come from: the options every command that reads a CSV shares.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// Model file (JSON, format "neuralize/1").
    #[arg(long, short = 'm')]
    pub model: std::path::PathBuf,
    /// Input CSV with a header; `-` reads stdin. Features are matched by name when the
    /// model has feature_names, else by position.
    #[arg(long, short = 'i', value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub input: String,
    /// Field delimiter of the CSV input (and output), e.g. ';' or '\t'.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
    /// The input has no header row: its first line is data, and its first columns are the
    /// model's features, by position. (A first line of numbers is otherwise refused.)
    #[arg(long)]
    pub no_header: bool,
    /// Skip input columns that are neither features nor kept (otherwise an error).
    #[arg(long)]
    pub ignore_extra: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress line on stderr (it is only shown when stderr is a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl SourceArgs {
    /// Open the input and match its header against `model`'s features and `keep`.
    pub fn open(&self, model: &Model, keep: &[String]) -> Result<TableReader> {
        let request = ColumnRequest {
            model_names: model.feature_names(),
            n_features: model.n_features(),
            keep,
            ignore_extra: self.ignore_extra,
        };
        TableReader::open(&Endpoint::parse(&self.input), self.format(), &request)
    }

    /// How the input CSV is laid out.
    pub fn format(&self) -> CsvFormat {
        CsvFormat::new(self.delimiter, self.no_header)
    }
}

/// Input and output options of the commands that write a CSV.
#[derive(Debug, Clone, clap::Args)]
pub struct TableArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Output CSV; `-` writes stdout. A file is written to a temporary file beside it and
    /// renamed at the end (keeping its mode; a symlink is written through); a device or FIFO
    /// is written in place. It may not be the input or the model file.
    #[arg(long, short = 'o', value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub output: String,
    /// Copy these input columns (comma-separated), unchanged, in front of the output.
    #[arg(long, value_delimiter = ',')]
    pub keep: Vec<String>,
}

impl TableArgs {
    /// Refuse an output that is the input, the model file or one of `others` (`(flag,
    /// path)`): before anything is read.
    pub fn refuse_overwriting_inputs(&self, others: &[(&str, &str)]) -> Result<()> {
        let model = self.source.model.to_string_lossy();
        let mut inputs = vec![("--input", self.source.input.as_str()), ("--model", &model)];
        inputs.extend_from_slice(others);
        refuse_same_file("--output", &self.output, &inputs)
    }
}

/// A `--delimiter` value: one ASCII character other than `"`, newline and carriage return
/// (which would give a file that cannot be read back), or `\t` / `tab`.
pub fn parse_delimiter(text: &str) -> std::result::Result<u8, String> {
    let byte = match text {
        "\\t" | "tab" => return Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => text.as_bytes()[0],
        _ if text.chars().count() == 1 => {
            return Err(format!(
                "{text:?} is not a single-byte (ASCII) character; the delimiter must be one byte"
            ))
        }
        _ => {
            return Err(format!(
                "expected a single ASCII character, got {}",
                crate::io::quote(text.as_bytes())
            ))
        }
    };
    match byte {
        b'"' => Err("'\"' quotes fields in CSV and cannot be the delimiter".to_string()),
        b'\n' | b'\r' => {
            Err("a line break ends rows in CSV and cannot be the delimiter".to_string())
        }
        _ => Ok(byte),
    }
}

/// Run `f` on a thread pool of the requested size (or rayon's default).
pub fn with_threads<T>(threads: Option<usize>, f: impl FnOnce() -> Result<T> + Send) -> Result<T>
where
    T: Send,
{
    match threads {
        None => f(),
        Some(0) => Err(Error::parameter("threads", "must be at least 1")),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Error::parameter("threads", e.to_string()))?
            .install(f),
    }
}

/// The processed form of a chunk: what the writer prints after the kept cells.
pub struct ChunkOutput {
    pub prediction: crate::Prediction,
    pub output: ndarray::Array1<f64>,
    pub relevance: Option<ndarray::Array2<f64>>,
}

impl ChunkOutput {
    /// An error naming the first row whose output or relevance is not a finite number.
    fn check_finite(&self) -> Result<()> {
        let finite_row = |r: usize| {
            self.output[r].is_finite()
                && self
                    .relevance
                    .as_ref()
                    .is_none_or(|rel| rel.row(r).iter().all(|v| v.is_finite()))
        };
        match (0..self.output.len()).find(|&r| !finite_row(r)) {
            None => Ok(()),
            Some(row) => Err(Error::NonFinite {
                row,
                message: "the output or a relevance is not a finite number (the row is too far from the model)"
                    .to_string(),
            }),
        }
    }
}

/// Stream the input through `process` into the output table.
///
/// `header` builds the output header from the input's feature names (model order).
pub fn stream(
    args: &TableArgs,
    model: &Model,
    header: impl FnOnce(&[String]) -> Vec<String>,
    process: impl FnMut(&Chunk) -> Result<ChunkOutput> + Send,
) -> Result<()> {
    let reader = args.source.open(model, &args.keep)?;
    let mut columns = reader.plan().kept_names.clone();
    columns.extend(header(&reader.plan().feature_names));
    crate::io::columns::refuse_repeated_columns(&columns)?;
    let delimiter = args.source.delimiter;
    let quiet = args.source.quiet;
    let labels = model.family().class_labels().map(<[String]>::to_vec);
    match Endpoint::parse(&args.output) {
        Endpoint::Std => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            let mut writer = TableWriter::new(&mut lock, "<stdout>".into(), delimiter, &columns)?
                .with_labels(labels);
            copy_rows(reader, &mut writer, quiet, process)?;
            writer.finish()?;
            lock.flush().map_err(|e| Error::io("<stdout>", e))
        }
        Endpoint::Path(path) => {
            let mut file = OutputFile::create(&path)?;
            let label = path.display().to_string();
            let mut writer =
                TableWriter::new(file.writer(), label, delimiter, &columns)?.with_labels(labels);
            copy_rows(reader, &mut writer, quiet, process)?;
            writer.finish()?;
            file.commit()
        }
    }
}

fn copy_rows<W: Write>(
    reader: TableReader,
    writer: &mut TableWriter<W>,
    quiet: bool,
    mut process: impl FnMut(&Chunk) -> Result<ChunkOutput> + Send,
) -> Result<()> {
    let formatter = writer.formatter().clone();
    pipeline(
        reader,
        quiet,
        |chunk| {
            let result = process(chunk)?;
            result.check_finite()?;
            Ok(result)
        },
        |chunk, result, bytes| {
            formatter.format(
                bytes,
                &chunk.kept,
                &result.prediction,
                result.output.view(),
                result.relevance.as_ref().map(|r| r.view()),
            )
        },
        |bytes| writer.write_bytes(bytes),
    )
}

/// Read the input chunk by chunk (memory does not grow with it) and hand each chunk to `f`,
/// in input order, with a progress line unless `quiet`. Errors about a row name its line in
/// the input. The next chunk is parsed while `f` works on the current one.
pub fn for_each_chunk(
    reader: TableReader,
    quiet: bool,
    f: impl FnMut(&Chunk) -> Result<()> + Send,
) -> Result<()> {
    pipeline(reader, quiet, f, |_, (), _| Ok(()), |_| Ok(()))
}

/// The streaming pipeline: a reader thread cuts the input into raw blocks of
/// [`STREAM_ROWS`] rows; then, on the rayon pool, while chunk `k` is processed
/// (`process`, in order, itself parallel inside), chunk `k + 1` is parsed and chunk `k - 1`
/// finished (`finish`: formatted into a byte buffer); then that buffer is emitted (`emit`,
/// in order, on this thread). At most four chunks are in flight (raw, parsed, processed,
/// finished) besides one raw block queued and one being read, and their byte buffers are
/// reused, so memory does not grow with the input; the blocks do not depend on the number
/// of threads, nor does any result.
///
/// The error returned is the one a serial loop (parse, process, finish, emit, chunk after
/// chunk) would meet first.
fn pipeline<O: Send>(
    reader: TableReader,
    quiet: bool,
    mut process: impl FnMut(&Chunk) -> Result<O> + Send,
    finish: impl Fn(&Chunk, O, &mut Vec<u8>) -> Result<()> + Sync,
    mut emit: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let source = reader.source().to_string();
    let (mut blocks, parser) = reader.into_parts();
    let (sender, raw_blocks) = std::sync::mpsc::sync_channel::<Result<RawBlock>>(1);
    // Parsed blocks' byte buffers go back to the reader, to be filled again.
    let (recycle, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
    // Detached: if the pipeline fails, the reader stops at its next send (or with the
    // process).
    std::thread::spawn(move || loop {
        let buffer = recycled.try_recv().unwrap_or_default();
        let block = blocks.next_block(STREAM_ROWS, buffer);
        let last = !matches!(&block, Ok(b) if b.records > 0);
        if sender.send(block).is_err() || last {
            break;
        }
    });
    let next_raw = || {
        raw_blocks.recv().unwrap_or_else(|_| {
            Err(Error::Csv {
                path: source.clone(),
                message: "read error: the reading thread stopped".to_string(),
            })
        })
    };
    let parse = |raw: Result<RawBlock>| {
        raw.and_then(|block| {
            let chunk = parser.parse(&block);
            // The reader may have stopped: then the buffer is simply dropped.
            let _ = recycle.send(block.bytes);
            chunk
        })
    };
    let mut progress = Progress::new(quiet);
    let mut parsed = parse(next_raw());
    let mut previous: Option<(Chunk, O)> = None;
    let mut bytes = Vec::new();
    loop {
        let chunk = match parsed {
            Ok(chunk) if chunk.n_rows() > 0 => chunk,
            end_or_error => {
                if let Some((chunk, out)) = previous {
                    bytes.clear();
                    finish(&chunk, out, &mut bytes)?;
                    emit(&bytes)?;
                }
                return end_or_error.map(|_| ());
            }
        };
        let raw = next_raw();
        bytes.clear();
        let (processed, (next, finished)) = rayon::join(
            || process(&chunk).map_err(|e| chunk.locate(&source, e)),
            || {
                rayon::join(
                    || parse(raw),
                    || {
                        previous
                            .map(|(chunk, out)| finish(&chunk, out, &mut bytes))
                            .transpose()
                    },
                )
            },
        );
        if finished?.is_some() {
            emit(&bytes)?;
        }
        progress.add(chunk.n_rows());
        previous = Some((chunk, processed?));
        parsed = next;
    }
}

/// Load the model and neuralize it.
pub fn load(path: &std::path::Path) -> Result<(Model, Explainer)> {
    let model = crate::load_model(path)?;
    let explainer = Explainer::new(&model);
    Ok((model, explainer))
}

/// Column means of a table's rows (at least one row): the reference x̃ of `--reference`.
pub fn column_means(rows: ndarray::ArrayView2<f64>) -> Result<ndarray::Array1<f64>> {
    rows.mean_axis(ndarray::Axis(0))
        .ok_or_else(|| Error::parameter("reference", "the reference table has no rows"))
}

/// Read a whole CSV table (model features, matched as for the input; other columns ignored).
/// Every caller (`evaluate`'s input and reference, `tune`'s and `explain`'s reference) needs
/// rows, so a table without any is an error naming the file.
pub fn read_table(path: &str, format: CsvFormat, model: &Model) -> Result<ndarray::Array2<f64>> {
    let request = ColumnRequest {
        model_names: model.feature_names(),
        n_features: model.n_features(),
        keep: &[],
        ignore_extra: true,
    };
    let endpoint = Endpoint::parse(path);
    let mut reader = TableReader::open(&endpoint, format, &request)?;
    let rows = reader.read_chunk(usize::MAX)?.features;
    if rows.nrows() == 0 {
        return Err(Error::Csv {
            path: endpoint.label("<stdin>"),
            message: "no data rows (at least one is needed)".to_string(),
        });
    }
    Ok(rows)
}
