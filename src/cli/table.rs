//! What every CSV-in, CSV-out command shares: options, the column plan and the streaming loop.

use crate::io::columns::ColumnRequest;
use crate::io::table_reader::{Chunk, TableReader};
use crate::io::table_writer::TableWriter;
use crate::io::{atomic::AtomicFile, Endpoint};
use crate::{Error, Explainer, Model, Result};
use std::io::Write;

/// Rows read, processed and written per step; memory does not grow with the input.
const STREAM_ROWS: usize = 16_384;

/// Input/output options of the table commands.
#[derive(Debug, Clone, clap::Args)]
pub struct TableArgs {
    /// Model file (JSON, format "neuralize/1").
    #[arg(long, short = 'm')]
    pub model: std::path::PathBuf,
    /// Input CSV with a header; `-` reads stdin. Features are matched by name when the
    /// model has feature_names, else by position.
    #[arg(long, short = 'i')]
    pub input: String,
    /// Output CSV; `-` writes stdout. Written to a temporary file and renamed at the end.
    #[arg(long, short = 'o')]
    pub output: String,
    /// Field delimiter of the input and output, e.g. ';' or '\t'.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
    /// Copy these input columns (comma-separated), unchanged, in front of the output.
    #[arg(long, value_delimiter = ',')]
    pub keep: Vec<String>,
    /// Skip input columns that are neither features nor kept (otherwise an error).
    #[arg(long)]
    pub ignore_extra: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

fn parse_delimiter(text: &str) -> std::result::Result<u8, String> {
    match text {
        "\\t" | "tab" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => Ok(text.as_bytes()[0]),
        _ => Err(format!("expected a single ASCII character, got {text:?}")),
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

/// Stream the input through `process` into the output table.
///
/// `header` builds the output header from the input's feature names (model order).
pub fn stream(
    args: &TableArgs,
    model: &Model,
    header: impl FnOnce(&[String]) -> Vec<String>,
    mut process: impl FnMut(&Chunk) -> Result<ChunkOutput>,
) -> Result<()> {
    let request = ColumnRequest {
        model_names: model.feature_names(),
        n_features: model.n_features(),
        keep: &args.keep,
        ignore_extra: args.ignore_extra,
    };
    let mut reader = TableReader::open(&Endpoint::parse(&args.input), args.delimiter, &request)?;
    let mut columns = reader.plan().kept_names.clone();
    columns.extend(header(&reader.plan().feature_names));
    match Endpoint::parse(&args.output) {
        Endpoint::Std => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            copy_rows(
                &mut reader,
                &mut lock,
                "<stdout>",
                args.delimiter,
                &columns,
                &mut process,
            )?;
            lock.flush().map_err(|e| Error::io("<stdout>", e))
        }
        Endpoint::Path(path) => {
            let mut file = AtomicFile::create(&path)?;
            let label = path.display().to_string();
            copy_rows(
                &mut reader,
                file.writer(),
                &label,
                args.delimiter,
                &columns,
                &mut process,
            )?;
            file.commit()
        }
    }
}

fn copy_rows<W: Write>(
    reader: &mut TableReader,
    out: W,
    label: &str,
    delimiter: u8,
    columns: &[String],
    process: &mut impl FnMut(&Chunk) -> Result<ChunkOutput>,
) -> Result<()> {
    let mut writer = TableWriter::new(out, label.to_string(), delimiter, columns)?;
    loop {
        let chunk = reader.read_chunk(STREAM_ROWS)?;
        if chunk.n_rows() == 0 {
            break;
        }
        let result = process(&chunk)?;
        writer.write_rows(
            &chunk.kept,
            &result.prediction,
            result.output.view(),
            result.relevance.as_ref().map(|r| r.view()),
        )?;
    }
    writer.finish().map(|_| ())
}

/// Load the model and neuralize it.
pub fn load(path: &std::path::Path) -> Result<(Model, Explainer)> {
    let model = crate::load_model(path)?;
    let explainer = Explainer::new(&model);
    Ok((model, explainer))
}

/// Read a whole CSV table (model features, matched as for the input; other columns ignored).
pub fn read_table(path: &str, delimiter: u8, model: &Model) -> Result<ndarray::Array2<f64>> {
    let request = ColumnRequest {
        model_names: model.feature_names(),
        n_features: model.n_features(),
        keep: &[],
        ignore_extra: true,
    };
    let mut reader = TableReader::open(&Endpoint::parse(path), delimiter, &request)?;
    Ok(reader.read_chunk(usize::MAX)?.features)
}
