//! The CSV reader, through `neuralize explain` and the CSV writer: any input either fails
//! with an error (leaving no output file and no temporary file), or gives an output that
//! reads back with one row per input data row (no row lost), the kept column copied byte for
//! byte, finite numbers, and relevance rows that sum to the explained output. Nothing
//! panics.
//!
//! The first byte chooses the model, the delimiter and the options; the rest is the CSV.

#![no_main]

use clap::Parser;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const MODELS: [&str; 4] = ["kmeans_iris", "kde_iris", "kmeans_nameless", "ocsvm_blobs"];
const FEATURES: [usize; 4] = [4, 4, 4, 5];
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// A scratch directory with the models, one per fuzzing process.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // A RAM disk where there is one: every run syncs its output file.
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        // libFuzzer ends with exit(): remove the folders of earlier runs whose process is gone.
        for entry in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("neuralize-fuzz-") {
                if Path::new("/proc/self").exists() && !Path::new("/proc").join(pid).exists() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = base.join(format!("neuralize-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
        for name in ["kmeans_iris", "kde_iris", "ocsvm_blobs"] {
            let json = models.join(format!("{name}.json"));
            std::fs::copy(json, dir.join(format!("{name}.json"))).unwrap();
        }
        let text = std::fs::read_to_string(models.join("kmeans_iris.json")).unwrap();
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value.as_object_mut().unwrap().remove("feature_names");
        std::fs::write(dir.join("kmeans_nameless.json"), value.to_string()).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&config, csv_bytes)) = data.split_first() else {
        return;
    };
    let model = (config & 3) as usize;
    let delimiter = DELIMITERS[((config >> 2) & 3) as usize];
    let no_header = config & 16 != 0;
    let ignore_extra = config & 64 != 0;
    let published = config & 128 != 0;

    // The input as the csv crate reads it, independently of neuralize.
    let records: Vec<csv::ByteRecord> = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_bytes)
        .byte_records()
        .collect::<Result<_, _>>()
        .expect("reading bytes from memory");
    let keep = (config & 32 != 0 && !no_header)
        .then(|| {
            records
                .first()
                .map(|h| String::from_utf8_lossy(&h[0]).trim().to_string())
        })
        .flatten()
        .filter(|name| !name.is_empty() && !name.contains(','));

    let dir = scratch();
    let input = dir.join("in.csv");
    let output = dir.join("out.csv");
    std::fs::write(&input, csv_bytes).unwrap();
    let _ = std::fs::remove_file(&output);
    let model_path = dir.join(format!("{}.json", MODELS[model]));
    let delimiter_arg = if delimiter == b'\t' {
        "tab".to_string()
    } else {
        (delimiter as char).to_string()
    };
    let mut args: Vec<String> = vec![
        "neuralize".into(),
        "explain".into(),
        "-q".into(),
        "-m".into(),
        model_path.display().to_string(),
        "-i".into(),
        input.display().to_string(),
        "-o".into(),
        output.display().to_string(),
        "--delimiter".into(),
        delimiter_arg,
    ];
    if no_header {
        args.push("--no-header".into());
    }
    if ignore_extra {
        args.push("--ignore-extra".into());
    }
    if published {
        args.extend(["--rule".into(), "neon".into()]);
    }
    if let Some(name) = &keep {
        args.push(format!("--keep={name}"));
    }
    let cli = neuralize::cli::Cli::try_parse_from(&args).expect("the arguments parse");
    let result = neuralize::cli::run(cli);

    let leftovers: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    if result.is_err() {
        assert!(!output.exists(), "an output file after an error");
        return;
    }

    // Read the output back.
    let n_kept = usize::from(keep.is_some());
    let d = FEATURES[model];
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_path(&output)
        .expect("the output exists");
    let header = reader.byte_headers().expect("an output header").clone();
    assert_eq!(header.len(), n_kept + 2 + d, "output header {header:?}");
    let data_rows: Vec<&csv::ByteRecord> = records.iter().skip(usize::from(!no_header)).collect();
    let mut n_out = 0;
    for (r, row) in reader.byte_records().enumerate() {
        let row = row.expect("the output reads back");
        assert!(r < data_rows.len(), "more output rows than input rows");
        assert_eq!(row.len(), header.len(), "output row {r}: width");
        if n_kept == 1 {
            assert_eq!(&row[0], &data_rows[r][0], "output row {r}: kept cell");
        }
        let numbers: Vec<f64> = row
            .iter()
            .skip(n_kept)
            .map(|cell| {
                let text = std::str::from_utf8(cell).expect("numbers are ASCII");
                let v: f64 = text.parse().expect("a number");
                assert!(v.is_finite(), "output row {r}: {text}");
                v
            })
            .collect();
        let (explained, relevance) = (numbers[1], &numbers[2..]);
        let sum: f64 = relevance.iter().sum();
        let magnitude: f64 = relevance.iter().map(|v| v.abs()).sum();
        let scale = explained.abs().max(magnitude).max(f64::MIN_POSITIVE);
        assert!(
            (sum - explained).abs() <= 1e-9 * scale,
            "output row {r}: relevance sums to {sum}, the explained output is {explained}"
        );
        n_out += 1;
    }
    assert_eq!(
        n_out,
        data_rows.len(),
        "rows lost: {} in, {n_out} out",
        data_rows.len()
    );
});
