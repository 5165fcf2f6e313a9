//! Helpers shared by the command-line tests: run the real binary, build scratch files, read
//! CSV output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[path = "../shared/fixtures.rs"]
mod fixture_list;
pub use fixture_list::{DENSE_FIXTURES, FIXTURES, SVC_FIXTURES};

/// The stem of every `models/*.json` file on disk (sorted), whether or not it is a fixture.
pub fn shipped_models() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A path under the crate's `models/` folder.
pub fn model_path(name: &str) -> String {
    format!("{}/models/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The family default a kernel fixture must get, from its model file's kernel (read here,
/// not through the binary): `neon-pick@1` for rbf, `neon-path@1` for laplacian; `None` for
/// models without a kernel.
pub fn kernel_default(name: &str) -> Option<&'static str> {
    let text = std::fs::read_to_string(model_path(&format!("{name}.json"))).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let kernel = value["kernel"].as_object()?.keys().next()?.clone();
    match kernel.as_str() {
        "rbf" => Some("neon-pick@1"),
        "laplacian" => Some("neon-path@1"),
        other => panic!("{name}: unknown kernel {other}"),
    }
}

/// A fresh, empty scratch directory for one test, removed again when the test passes (kept
/// for inspection when it fails). All tests share one process (one pid), so a name may be
/// used only once: a second use panics instead of racing on the same folder.
pub fn scratch(test: &str) -> Scratch {
    static USED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    {
        let mut used = USED.lock().unwrap();
        assert!(
            !used.iter().any(|u| u == test),
            "scratch name {test:?} used twice"
        );
        used.push(test.to_string());
    }
    let dir = std::env::temp_dir().join(format!("neuralize-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// A test's scratch directory (see [`scratch`]); it reads as the directory's path.
pub struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Run `neuralize ARGS` with `stdin` piped in.
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_neuralize"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

/// The standard output of `neuralize ARGS --threads 1` and `--threads 2` with `stdin` piped
/// in (each run must succeed; `what` names the case in a failure).
pub fn stdout_on_one_and_two_threads(args: &[&str], stdin: &[u8], what: &str) -> [String; 2] {
    ["1", "2"].map(|threads| {
        let args: Vec<&str> = args.iter().copied().chain(["--threads", threads]).collect();
        let out = run_with_stdin(&args, stdin);
        assert!(out.status.success(), "{what}: {}", stderr(&out));
        stdout(&out)
    })
}

/// The run failed with exit code 1 and its error message contains `needle`.
pub fn assert_fails_with(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
    assert!(stderr(out).contains(needle), "{}", stderr(out));
}

/// Run `neuralize ARGS` with an empty stdin.
/// `neuralize explain -m models/MODEL -i - -o - EXTRA...` with `stdin` as the input.
pub fn explain_stdin(model: &str, extra: &[&str], stdin: &[u8]) -> Output {
    let model = model_path(model);
    let mut args = vec!["explain", "-m", &model, "-i", "-", "-o", "-"];
    args.extend_from_slice(extra);
    run_with_stdin(&args, stdin)
}

pub fn run(args: &[&str]) -> Output {
    run_with_stdin(args, b"")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Parse a CSV text into its header and numeric rows.
/// Write a CSV file of one data row under `header`.
pub fn write_one_row_csv<H: AsRef<str>, V: AsRef<str>>(path: &Path, header: &[H], row: &[V]) {
    let header: Vec<&str> = header.iter().map(AsRef::as_ref).collect();
    let row: Vec<&str> = row.iter().map(AsRef::as_ref).collect();
    std::fs::write(path, format!("{}\n{}\n", header.join(","), row.join(","))).unwrap();
}

pub fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    (header, rows)
}

/// Files in `dir` other than those named.
pub fn other_files(dir: &Path, expected: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !expected.contains(&n.as_str()))
        .collect()
}

/// Exit 1 and exactly one stderr line `error: ...` containing every needle (no panic).
pub fn assert_one_line_error(out: &std::process::Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "{err:?} should contain {needle:?}");
    }
}
