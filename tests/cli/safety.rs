//! Data safety of the command line (issue 11): no row is lost to a missing header, no file is
//! destroyed that the user did not name, nothing partial is left after a signal, error
//! messages stay short and name physical lines, wide files are planned in linear time, and
//! unreadable delimiters are refused.

use crate::support::{
    assert_one_line_error, model_path, run, run_with_stdin, scratch, stderr, stdout,
};
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const IRIS_HEADER: &str = "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_neuralize")
}

fn text(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

/// The shipped iris input without its header line (as `np.savetxt` writes it).
fn iris_without_header() -> String {
    let input = fs::read_to_string(model_path("kmeans_iris.input.csv")).unwrap();
    input.split_once('\n').unwrap().1.to_string()
}

/// A model file like `name.json` without `feature_names` (everything else kept), in `dir`.
fn nameless_model(dir: &Path, name: &str) -> PathBuf {
    let json = fs::read_to_string(model_path(&format!("{name}.json"))).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value
        .as_object_mut()
        .unwrap()
        .remove("feature_names")
        .unwrap();
    let path = dir.join(format!("{name}_nameless.json"));
    fs::write(&path, value.to_string()).unwrap();
    assert_eq!(neuralize::load_model(&path).unwrap().feature_names(), None);
    path
}

/// Files in `dir` whose name ends in `.tmp`.
fn temporary_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

// ---- 1. Headerless input -------------------------------------------------------------

#[test]
fn a_first_line_of_numbers_is_refused_by_every_command_that_reads_a_table() {
    let dir = scratch("safety-headerless");
    let input = dir.join("rows.csv");
    fs::write(&input, iris_without_header()).unwrap();
    let nameless = nameless_model(&dir, "kmeans_iris");
    let (input, out) = (text(&input), text(&dir.join("out.csv")));
    let model = model_path("kmeans_iris.json");
    let nameless = text(&nameless);
    let model_out = text(&dir.join("model.json"));
    let commands: Vec<Vec<&str>> = vec![
        // The silent row loss of the issue: a model without feature names.
        vec!["explain", "-m", &nameless, "-i", &input, "-o", &out],
        vec!["explain", "-m", &model, "-i", &input, "-o", &out],
        vec!["score", "-m", &nameless, "-i", &input, "-o", &out],
        vec!["verify", "-m", &nameless, "-i", &input],
        vec![
            "evaluate",
            "-m",
            &nameless,
            "-i",
            &input,
            "--reference",
            &input,
            "--methods",
            "default",
        ],
        vec![
            "fit", "kmeans", "--input", &input, "--output", &model_out, "--k", "3",
        ],
    ];
    for args in commands {
        let result = run(&args);
        assert_one_line_error(
            &result,
            &[
                "rows.csv",
                "line 1",
                "only numbers",
                "header",
                "--no-header",
            ],
        );
        assert!(!Path::new(&out).exists() && !Path::new(&model_out).exists());
    }
    // Through stdin too.
    let result = run_with_stdin(
        &["score", "-m", &nameless, "-i", "-", "-o", "-"],
        iris_without_header().as_bytes(),
    );
    assert_one_line_error(&result, &["<stdin>", "line 1", "--no-header"]);
}

#[test]
fn no_header_matches_columns_by_position_and_keeps_every_row() {
    let dir = scratch("safety-no-header");
    let headerless = dir.join("rows.csv");
    fs::write(&headerless, iris_without_header()).unwrap();
    let headerless = text(&headerless);
    let with_header = model_path("kmeans_iris.input.csv");
    let model = model_path("kmeans_iris.json");
    let expected = stdout(&run(&[
        "explain",
        "-m",
        &model,
        "-i",
        &with_header,
        "-o",
        "-",
    ]));
    // A model with feature names: the output names them, rows identical.
    let named = run(&[
        "explain",
        "-m",
        &model,
        "-i",
        &headerless,
        "-o",
        "-",
        "--no-header",
    ]);
    assert!(named.status.success(), "{}", stderr(&named));
    assert_eq!(stdout(&named), expected);
    assert_eq!(stdout(&named).lines().count(), 51, "50 rows and the header");
    // A model without: the relevance columns are R_x0, R_x1, ...
    let nameless = text(&nameless_model(&dir, "kmeans_iris"));
    let by_position = run(&[
        "explain",
        "-m",
        &nameless,
        "-i",
        &headerless,
        "-o",
        "-",
        "--no-header",
    ]);
    assert!(by_position.status.success(), "{}", stderr(&by_position));
    let got = stdout(&by_position);
    assert_eq!(
        got.lines().next().unwrap(),
        "cluster,logit,R_x0,R_x1,R_x2,R_x3"
    );
    assert_eq!(
        got.lines().skip(1).collect::<Vec<_>>(),
        expected.lines().skip(1).collect::<Vec<_>>()
    );
    // score, verify and evaluate read it the same way.
    let score = run(&[
        "score",
        "-m",
        &model,
        "-i",
        &headerless,
        "-o",
        "-",
        "--no-header",
    ]);
    assert_eq!(stdout(&score).lines().count(), 51, "{}", stderr(&score));
    let verify = run(&["verify", "-m", &model, "-i", &headerless, "--no-header"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(stdout(&verify).contains(": 50 rows"), "{}", stdout(&verify));
    let evaluate = run(&[
        "evaluate",
        "-m",
        &model,
        "-i",
        &headerless,
        "--reference",
        &headerless,
        "--methods",
        "default",
        "--draws",
        "1",
        "--no-header",
    ]);
    assert!(evaluate.status.success(), "{}", stderr(&evaluate));
    assert!(stdout(&evaluate).contains("of 50"), "{}", stdout(&evaluate));
    // Too few columns by position, and --keep (which names header columns) are errors.
    let narrow = dir.join("narrow.csv");
    fs::write(&narrow, "1,2,3\n4,5,6\n").unwrap();
    let result = run(&[
        "explain",
        "-m",
        &model,
        "-i",
        &text(&narrow),
        "-o",
        "-",
        "--no-header",
    ]);
    assert_one_line_error(&result, &["line 1", "4 features", "3 column(s)"]);
    let result = run(&[
        "explain",
        "-m",
        &model,
        "-i",
        &headerless,
        "-o",
        "-",
        "--no-header",
        "--keep",
        "sepal_length_cm",
    ]);
    assert_one_line_error(&result, &["keep", "--no-header"]);
    // A later row of another width names its physical line.
    let ragged = dir.join("ragged.csv");
    fs::write(&ragged, "1,2,3,4\n\n1,2,3\n").unwrap();
    let result = run(&[
        "score",
        "-m",
        &model,
        "-i",
        &text(&ragged),
        "-o",
        "-",
        "--no-header",
    ]);
    assert_one_line_error(&result, &["line 3", "3 field(s)", "first row has 4"]);
}

#[test]
fn fit_with_no_header_gives_a_model_that_matches_by_position() {
    let dir = scratch("safety-fit-no-header");
    let train = fs::read_to_string(model_path("fit/kmeans_iris.train.csv")).unwrap();
    let rows = dir.join("train.csv");
    fs::write(&rows, train.split_once('\n').unwrap().1).unwrap();
    let model = dir.join("model.json");
    let fit = run(&[
        "fit",
        "kmeans",
        "--input",
        &text(&rows),
        "--output",
        &text(&model),
        "--k",
        "3",
        "--no-header",
    ]);
    assert!(fit.status.success(), "{}", stderr(&fit));
    let loaded = neuralize::load_model(&model).unwrap();
    assert_eq!(loaded.feature_names(), None);
    assert_eq!(loaded.n_features(), 4);
    let input = dir.join("input.csv");
    fs::write(&input, iris_without_header()).unwrap();
    let explain = run(&[
        "explain",
        "-m",
        &text(&model),
        "-i",
        &text(&input),
        "-o",
        "-",
        "--no-header",
    ]);
    assert!(explain.status.success(), "{}", stderr(&explain));
    assert_eq!(stdout(&explain).lines().count(), 51);
    // Another delimiter for fit, too.
    let semicolons = dir.join("train_semicolons.csv");
    fs::write(&semicolons, train.replace(',', ";")).unwrap();
    let fit = run(&[
        "fit",
        "kmeans",
        "--input",
        &text(&semicolons),
        "--output",
        &text(&dir.join("model2.json")),
        "--k",
        "3",
        "--delimiter",
        ";",
    ]);
    assert!(fit.status.success(), "{}", stderr(&fit));
}

#[test]
fn a_header_of_numbers_that_names_the_models_features_is_a_header() {
    let dir = scratch("safety-numeric-names");
    let json = fs::read_to_string(model_path("kmeans_iris.json")).unwrap();
    let json = json
        .replace("\"sepal_length_cm\"", "\"1\"")
        .replace("\"sepal_width_cm\"", "\"2\"")
        .replace("\"petal_length_cm\"", "\"3\"")
        .replace("\"petal_width_cm\"", "\"4\"");
    let model = dir.join("numbered.json");
    fs::write(&model, json).unwrap();
    let input = dir.join("in.csv");
    fs::write(&input, format!("1,2,3,4\n{}", iris_without_header())).unwrap();
    let result = run(&["score", "-m", &text(&model), "-i", &text(&input), "-o", "-"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(stdout(&result).lines().count(), 51);
}

#[test]
fn plot_refuses_a_table_of_numbers_without_offering_no_header() {
    let dir = scratch("safety-plot-numbers");
    let table = dir.join("numbers.csv");
    fs::write(&table, "1,2,3\n4,5,6\n").unwrap();
    let result = run(&[
        "plot",
        "bars",
        "--relevance",
        &text(&table),
        "--row",
        "0",
        "--output",
        &text(&dir.join("bars.svg")),
    ]);
    assert_one_line_error(&result, &["numbers.csv", "line 1", "only numbers"]);
    assert!(
        !stderr(&result).contains("--no-header"),
        "{}",
        stderr(&result)
    );
}

// ---- 2. Output files ---------------------------------------------------------------

/// `explain` of the shipped iris input into `output`.
fn explain_iris_to(output: &str) -> Output {
    run(&[
        "explain",
        "-m",
        &model_path("kmeans_iris.json"),
        "-i",
        &model_path("kmeans_iris.input.csv"),
        "-o",
        output,
    ])
}

fn expected_iris_output() -> String {
    stdout(&explain_iris_to("-"))
}

#[test]
fn a_regular_file_is_replaced_atomically_keeping_its_mode() {
    let dir = scratch("safety-mode");
    let out = dir.join("out.csv");
    fs::write(&out, "old\n").unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o640)).unwrap();
    let result = explain_iris_to(&text(&out));
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(fs::read_to_string(&out).unwrap(), expected_iris_output());
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640);
    assert_eq!(temporary_files(&dir), Vec::<String>::new());
}

#[test]
fn a_symlink_is_written_through_and_stays_a_link() {
    let dir = scratch("safety-symlink");
    let target = dir.join("target.csv");
    fs::write(&target, "old\n").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink("target.csv", &link).unwrap();
    let result = explain_iris_to(&text(&link));
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&target).unwrap(), expected_iris_output());
    assert_eq!(
        fs::metadata(&target).unwrap().permissions().mode() & 0o7777,
        0o600
    );
    // A dangling link: its target is created, as a shell redirect would.
    let dangling = dir.join("dangling.csv");
    std::os::unix::fs::symlink("created.csv", &dangling).unwrap();
    let result = explain_iris_to(&text(&dangling));
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(dir.join("created.csv")).unwrap(),
        expected_iris_output()
    );
    assert_eq!(temporary_files(&dir), Vec::<String>::new());
}

#[test]
fn a_fifo_is_written_in_place_for_its_reader() {
    let dir = scratch("safety-fifo");
    let fifo = dir.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let result = explain_iris_to(&text(&fifo));
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(reader.join().unwrap(), expected_iris_output());
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(temporary_files(&dir), Vec::<String>::new());
}

#[test]
fn dev_null_stays_a_character_device_and_dev_full_reports_no_space() {
    let result = explain_iris_to("/dev/null");
    assert!(result.status.success(), "{}", stderr(&result));
    let null = fs::symlink_metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device(), "/dev/null was replaced");
    if Path::new("/dev/full").exists() {
        let result = explain_iris_to("/dev/full");
        assert_one_line_error(&result, &["/dev/full", "No space left"]);
        let full = fs::symlink_metadata("/dev/full").unwrap();
        assert!(full.file_type().is_char_device(), "/dev/full was replaced");
    }
}

#[test]
fn a_directory_is_refused() {
    let dir = scratch("safety-directory");
    let result = explain_iris_to(&text(&dir));
    assert_one_line_error(&result, &["is a directory"]);
    assert!(dir.is_dir());
}

#[test]
fn an_output_that_is_an_input_is_refused_before_anything_is_read() {
    let dir = scratch("safety-same-file");
    let input = dir.join("in.csv");
    // Not even a valid table: the refusal comes first.
    let original = "not,a,table\n1\n";
    fs::write(&input, original).unwrap();
    let model = dir.join("model.json");
    fs::copy(model_path("kmeans_iris.json"), &model).unwrap();
    let model_text = fs::read_to_string(&model).unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    let hard = dir.join("hard.csv");
    fs::hard_link(&input, &hard).unwrap();
    let (i, m) = (text(&input), text(&model));
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["-i".into(), i.clone(), "-o".into(), i.clone()],
            "--input",
        ),
        (
            vec!["-i".into(), i.clone(), "-o".into(), text(&link)],
            "--input",
        ),
        (
            vec!["-i".into(), i.clone(), "-o".into(), text(&hard)],
            "--input",
        ),
        (
            vec!["-i".into(), i.clone(), "-o".into(), m.clone()],
            "--model",
        ),
    ];
    for command in ["explain", "score"] {
        for (io, flag) in &cases {
            let mut args = vec![command, "-m", &m];
            args.extend(io.iter().map(String::as_str));
            let result = run(&args);
            assert_one_line_error(&result, &["same file", flag, "--output"]);
        }
    }
    let result = run(&[
        "explain",
        "-m",
        &m,
        "-i",
        &model_path("kmeans_iris.input.csv"),
        "--reference",
        &i,
        "-o",
        &i,
    ]);
    assert_one_line_error(&result, &["same file", "--reference"]);
    let result = run(&["fit", "kmeans", "--input", &i, "--output", &i, "--k", "2"]);
    assert_one_line_error(&result, &["same file", "--input"]);
    let result = run(&[
        "evaluate",
        "-m",
        &m,
        "-i",
        &i,
        "--reference",
        &model_path("kmeans_iris.input.csv"),
        "--curves",
        &text(&hard),
    ]);
    assert_one_line_error(&result, &["same file", "--curves", "--input"]);
    // Standard output appending to the input.
    let append = fs::OpenOptions::new().append(true).open(&input).unwrap();
    let result = Command::new(bin())
        .args(["score", "-m", &m, "-i", &i, "-o", "-"])
        .stdout(Stdio::from(append))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_one_line_error(&result, &["same file", "--input"]);
    assert_eq!(fs::read_to_string(&input).unwrap(), original);
    assert_eq!(fs::read_to_string(&model).unwrap(), model_text);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::metadata(&hard).unwrap().nlink(), 2);
    assert_eq!(temporary_files(&dir), Vec::<String>::new());
}

/// Start `explain` reading stdin into `out` (which exists), feed it more than a chunk of rows
/// and keep stdin open, wait until the temporary output file has data, send `signal`, and
/// return the exit code.
fn interrupt_mid_stream(dir: &Path, signal: &str) -> Option<i32> {
    let out = dir.join("out.csv");
    fs::write(&out, "old\n").unwrap();
    let rows = iris_without_header();
    let mut input = format!("{IRIS_HEADER}\n");
    while input.len() < 4 << 20 {
        input += &rows;
    }
    let mut child = Command::new(bin())
        .args([
            "explain",
            "-m",
            &model_path("kmeans_iris.json"),
            "-i",
            "-",
            "-o",
            &text(&out),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    use std::io::Write;
    stdin.write_all(input.as_bytes()).unwrap();
    stdin.flush().unwrap();
    // stdin stays open: the command waits for more rows, mid-stream.
    let start = Instant::now();
    loop {
        let written = temporary_files(dir)
            .iter()
            .any(|t| fs::metadata(dir.join(t)).is_ok_and(|m| m.len() > 0));
        if written {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file with data appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    drop(stdin);
    assert_eq!(temporary_files(dir), Vec::<String>::new(), "{signal}");
    assert_eq!(fs::read_to_string(&out).unwrap(), "old\n", "{signal}");
    status.code()
}

#[test]
fn signals_mid_stream_remove_the_temporary_file_and_exit_128_plus_the_signal() {
    for (signal, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let dir = scratch(&format!("safety-signal-{signal}"));
        assert_eq!(
            interrupt_mid_stream(&dir, signal),
            Some(code),
            "SIG{signal}"
        );
    }
}

// ---- 3. Messages -------------------------------------------------------------------

#[test]
fn a_huge_cell_is_quoted_short_with_its_length() {
    let dir = scratch("safety-huge-cell");
    let input = dir.join("in.csv");
    let cell = "7".repeat(10 << 20) + "x";
    fs::write(&input, format!("{IRIS_HEADER}\n1,2,3,4\n1,{cell},3,4\n")).unwrap();
    let result = run(&[
        "score",
        "-m",
        &model_path("kmeans_iris.json"),
        "-i",
        &text(&input),
        "-o",
        "-",
    ]);
    assert_one_line_error(
        &result,
        &[
            "line 3",
            "\"sepal_width_cm\"",
            "not a number",
            &format!("({} bytes)", cell.len()),
        ],
    );
    assert!(result.stderr.len() < 300, "{}", stderr(&result));
    // A huge header name that is not a feature: cut too.
    let name = "n".repeat(1 << 20);
    fs::write(&input, format!("{IRIS_HEADER},{name}\n1,2,3,4,5\n")).unwrap();
    let result = run(&[
        "score",
        "-m",
        &model_path("kmeans_iris.json"),
        "-i",
        &text(&input),
        "-o",
        "-",
    ]);
    assert_one_line_error(&result, &["line 1", "(1048576 bytes)", "--ignore-extra"]);
    assert!(result.stderr.len() < 400, "{}", stderr(&result));
}

#[test]
fn line_numbers_are_physical_lines_for_every_line_ending() {
    let dir = scratch("safety-lines");
    let model = model_path("kmeans_iris.json");
    // The bad cell is on physical line 6 in each: header, row, blank, row (a kept cell
    // spanning two lines), then the bad row.
    for (name, end) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let text_of = [
            format!("id,{IRIS_HEADER}"),
            "a,1,2,3,4".to_string(),
            String::new(),
            format!("\"b{end}b\",1,2,3,4"),
            "c,1,2,oops,4".to_string(),
        ]
        .join(end)
            + end;
        let input = dir.join(format!("{name}.csv"));
        fs::write(&input, text_of).unwrap();
        let result = run(&[
            "score",
            "-m",
            &model,
            "-i",
            &text(&input),
            "-o",
            "-",
            "--keep",
            "id",
        ]);
        assert_one_line_error(&result, &["line 6,", "\"petal_length_cm\"", "\"oops\""]);
    }
}

// ---- 4. Columns and delimiters -----------------------------------------------------

#[test]
fn a_hundred_thousand_extra_columns_are_planned_in_well_under_a_second() {
    let dir = scratch("safety-wide");
    let input = dir.join("wide.csv");
    let extra: Vec<String> = (0..100_000).map(|i| format!("extra{i}")).collect();
    let mut table = format!("{IRIS_HEADER},{}\n", extra.join(","));
    table += &vec!["1"; 100_004].join(",");
    table.push('\n');
    fs::write(&input, table).unwrap();
    let args = [
        "score",
        "-m",
        &model_path("kmeans_iris.json"),
        "-i",
        &text(&input),
        "-o",
        "-",
    ];
    let start = Instant::now();
    let mut with_flag = args.to_vec();
    with_flag.push("--ignore-extra");
    let result = run(&with_flag);
    let elapsed = start.elapsed();
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    // Without --ignore-extra: a short message.
    let result = run(&args);
    assert_one_line_error(
        &result,
        &["extra0, extra1", "and 99990 more", "--ignore-extra"],
    );
    assert!(result.stderr.len() < 400);
}

#[test]
fn delimiters_that_cannot_be_read_back_are_refused() {
    let input = model_path("kmeans_iris.input.csv");
    let model = model_path("kmeans_iris.json");
    for (delimiter, needle) in [
        ("\"", "quotes fields"),
        ("\n", "line break"),
        ("\r", "line break"),
        ("é", "single-byte"),
        ("ab", "single ASCII character"),
    ] {
        let result = run(&[
            "score",
            "-m",
            &model,
            "-i",
            &input,
            "-o",
            "-",
            "--delimiter",
            delimiter,
        ]);
        assert_eq!(result.status.code(), Some(2), "{delimiter:?}");
        assert!(stderr(&result).contains(needle), "{}", stderr(&result));
    }
    let tabs = fs::read_to_string(&input).unwrap().replace(',', "\t");
    let result = run_with_stdin(
        &[
            "score",
            "-m",
            &model,
            "-i",
            "-",
            "-o",
            "-",
            "--delimiter",
            "tab",
        ],
        tabs.as_bytes(),
    );
    assert!(result.status.success(), "{}", stderr(&result));
}

// ---- 5. The library's edges, through the command line ------------------------------

#[test]
fn nan_and_infinite_cells_are_errors_naming_line_and_column_for_every_family() {
    let dir = scratch("safety-nan");
    for name in ["kmeans_iris", "kde_iris", "ocsvm_blobs"] {
        let input = fs::read_to_string(model_path(&format!("{name}.input.csv"))).unwrap();
        let mut lines: Vec<String> = input.lines().take(3).map(str::to_string).collect();
        let column = lines[0].split(',').nth(1).unwrap().to_string();
        for bad in ["NaN", "inf", "-Infinity"] {
            let mut cells: Vec<&str> = lines[2].split(',').collect();
            cells[1] = bad;
            let row = cells.join(",");
            let original = std::mem::replace(&mut lines[2], row);
            let path = dir.join(format!("{name}.csv"));
            fs::write(&path, lines.join("\n")).unwrap();
            lines[2] = original;
            for command in ["explain", "verify"] {
                let mut args = vec![
                    command,
                    "-m",
                    &model_path(&format!("{name}.json")),
                    "-i",
                    path.to_str().unwrap(),
                ]
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>();
                if command == "explain" {
                    args.extend(["-o".to_string(), "-".to_string()]);
                }
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let result = run(&args);
                assert_one_line_error(
                    &result,
                    &["line 3", &format!("{column:?}"), "not a finite number"],
                );
            }
        }
    }
}

/// k-means centroids about 1e-154 apart: squared distances near the smallest normal f64.
fn tiny_k_means(dir: &Path) -> (String, String) {
    let model = dir.join("tiny.json");
    fs::write(
        &model,
        r#"{"format": "neuralize/1", "model": "kmeans", "centroids": [[0.0, 0.0], [1e-154, 0.0], [0.0, 2e-154]]}"#,
    )
    .unwrap();
    let input = dir.join("tiny.csv");
    fs::write(&input, "a,b\n0,0\n1e-154,0\n-3e-155,1e-155\n").unwrap();
    (text(&model), text(&input))
}

#[test]
fn k_means_with_centroids_1e_154_apart_explains_with_the_published_beta_and_verifies() {
    let dir = scratch("safety-tiny-centroids");
    let (model, input) = tiny_k_means(&dir);
    let result = run(&[
        "explain", "-m", &model, "-i", &input, "-o", "-", "--rule", "neon",
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    for line in stdout(&result).lines().skip(1) {
        let values: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
        assert!(values.iter().all(|v| v.is_finite()), "{line}");
        let sum: f64 = values[2..].iter().sum();
        assert!(
            (sum - values[1]).abs() <= 1e-9 * values[1].abs().max(1e-300),
            "{line}"
        );
    }
    let verify = run(&["verify", "-m", &model, "-i", &input]);
    assert!(verify.status.success(), "{}", stdout(&verify));
}

/// The default method's beta (`auto`, 10 x the published beta, ~1e309 here) saturates at the
/// largest finite number instead of overflowing, so `explain` with no options works.
#[test]
fn k_means_with_centroids_1e_154_apart_explains_with_the_default_method() {
    let dir = scratch("safety-tiny-centroids-default");
    let (model, input) = tiny_k_means(&dir);
    let result = run(&["explain", "-m", &model, "-i", &input, "-o", "-"]);
    assert!(result.status.success(), "{}", stderr(&result));
}

/// On a row where the classical distances tie in f64 (all ~2), the network's linear form
/// may pick another cluster than the classical argmin: a tie, which `verify` accepts.
#[test]
fn verify_passes_on_rows_where_tiny_centroids_tie() {
    let dir = scratch("safety-tiny-centroids-tie");
    let (model, _) = tiny_k_means(&dir);
    let input = dir.join("tie.csv");
    fs::write(&input, "a,b\n1,1\n").unwrap();
    let verify = run(&["verify", "-m", &model, "-i", &text(&input)]);
    assert!(verify.status.success(), "{}", stdout(&verify));
}
