//! A CSV reader for the examples: the model's feature columns as an `Array2`, matched by
//! name when the model has feature names, else by position.

use neuralize::ndarray::Array2;
use neuralize::Model;

/// The feature columns of `path` (model order) and their names.
pub fn read_features(
    path: &str,
    model: &Model,
) -> Result<(Array2<f64>, Vec<String>), Box<dyn std::error::Error>> {
    let mut reader = csv::Reader::from_path(path)?;
    let header: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
    let columns: Vec<usize> = match model.feature_names() {
        Some(names) => names
            .iter()
            .map(|name| {
                header
                    .iter()
                    .position(|h| h == name)
                    .ok_or_else(|| format!("{path}: no column {name:?}"))
            })
            .collect::<Result<_, _>>()?,
        None => (0..model.n_features()).collect(),
    };
    let mut values = Vec::new();
    let mut rows = 0;
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{path}: {e}"))?;
        for &c in &columns {
            let cell = record.get(c).unwrap_or("");
            let value: f64 = cell
                .trim()
                .parse()
                .map_err(|_| format!("{path}: line {}: not a number: {cell:?}", line + 2))?;
            values.push(value);
        }
        rows += 1;
    }
    let names = columns.iter().map(|&c| header[c].clone()).collect();
    Ok((
        Array2::from_shape_vec((rows, columns.len()), values)?,
        names,
    ))
}

/// The end of an example's `main`: an error is printed as one line on stderr by its message
/// (`error: ...`, as the command line prints it; not its `Debug` form) and the exit code is 1.
#[allow(dead_code)] // the benches include this module for `read_features` only
pub fn exit_code(result: Result<(), Box<dyn std::error::Error>>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
