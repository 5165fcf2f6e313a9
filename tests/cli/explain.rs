//! `neuralize explain` and `score` on good inputs: fixtures, pipes, --keep, --delimiter.

use crate::support::*;

fn explain_stdout(name: &str, extra: &[&str]) -> String {
    let model = model_path(&format!("{name}.json"));
    let input = model_path(&format!("{name}.input.csv"));
    let mut args = vec!["explain", "-m", &model, "-i", &input, "-o", "-"];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{name}: {}", stderr(&out));
    stdout(&out)
}

/// `explain` from file to file with the shipped `model`, expecting success.
fn explain_file(model: &str, input: &std::path::Path, output: &std::path::Path, extra: &[&str]) {
    let model = model_path(model);
    let (input, output) = (input.to_str().unwrap(), output.to_str().unwrap());
    let mut args = vec!["explain", "-m", &model, "-i", input, "-o", output];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn explain_matches_every_shipped_expected_file() {
    for name in FIXTURES {
        // The published rules, named explicitly: the default may change, the fixtures do not.
        let (header, rows) = parse_csv(&explain_stdout(name, &["--rule", "neon"]));
        let expected =
            std::fs::read_to_string(model_path(&format!("{name}.expected.csv"))).unwrap();
        let (want_header, want_rows) = parse_csv(&expected);
        assert_eq!(header, want_header, "{name}");
        assert_eq!(rows.len(), want_rows.len(), "{name}");
        for (r, (got, want)) in rows.iter().zip(&want_rows).enumerate() {
            for (c, (g, w)) in got.iter().zip(want).enumerate() {
                assert!(
                    (g - w).abs() <= 1e-8 * w.abs().max(1.0),
                    "{name} row {r} column {}: {g} vs {w}",
                    header[c]
                );
            }
        }
    }
}

#[test]
fn output_columns_per_model_kind() {
    let first = |name: &str| {
        explain_stdout(name, &[])
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert!(
        first("ocsvm_breast_cancer").starts_with("decision_function,outlierness,R_mean_radius,")
    );
    assert!(first("kde_iris").starts_with("log_density,outlierness,R_sepal_length_cm,"));
    assert!(first("kmeans_iris").starts_with("cluster,logit,R_sepal_length_cm,"));
    // Without feature_names the input header names the relevance columns.
    assert_eq!(
        first("ocsvm_blobs"),
        "decision_function,outlierness,R_x0,R_x1,R_x2,R_x3,R_x4"
    );
}

#[test]
fn score_columns_equal_the_first_columns_of_explain() {
    for name in ["ocsvm_breast_cancer", "kde_iris", "kmeans_iris"] {
        for cluster in [None, Some("0")] {
            if cluster.is_some() && !name.starts_with("kmeans") {
                continue;
            }
            let extra: Vec<&str> = cluster.map(|c| vec!["--cluster", c]).unwrap_or_default();
            let explained = explain_stdout(name, &extra);
            let model = model_path(&format!("{name}.json"));
            let input = model_path(&format!("{name}.input.csv"));
            let mut args = vec!["score", "-m", &model, "-i", &input, "-o", "-"];
            args.extend_from_slice(&extra);
            let out = run(&args);
            assert!(out.status.success(), "{}", stderr(&out));
            let scored = stdout(&out);
            assert_eq!(scored.lines().count(), explained.lines().count());
            for (s, e) in scored.lines().zip(explained.lines()) {
                let leading: Vec<&str> = e.split(',').take(2).collect();
                assert_eq!(s, leading.join(","), "{name}");
            }
        }
    }
}

#[test]
fn stdin_to_stdout_through_a_real_pipe() {
    let dir = scratch("pipe");
    let out_file = dir.join("out.csv");
    let script = format!(
        "cat '{input}' | '{bin}' explain -m '{model}' -i - -o - | cat > '{out}'",
        input = model_path("kmeans_iris.input.csv"),
        model = model_path("kmeans_iris.json"),
        bin = env!("CARGO_BIN_EXE_neuralize"),
        out = out_file.display(),
    );
    let status = std::process::Command::new("sh")
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(status.success());
    let piped = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(piped, explain_stdout("kmeans_iris", &[]));
}

/// Many rows of the iris input with an `id` column in front, ids 0..n.
fn iris_with_ids(n: usize) -> String {
    let input = std::fs::read_to_string(model_path("kmeans_iris.input.csv")).unwrap();
    let mut lines = input.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let mut text = format!("id,{header}\n");
    for i in 0..n {
        text += &format!("{i},{}\n", rows[i % rows.len()]);
    }
    text
}

#[test]
fn broken_pipe_is_a_quiet_success() {
    use std::io::{BufRead, BufReader};
    let dir = scratch("broken-pipe");
    let input = dir.join("big.csv");
    std::fs::write(&input, iris_with_ids(50_000)).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_neuralize"))
        .args([
            "explain",
            "-m",
            &model_path("kmeans_iris.json"),
            "--ignore-extra",
        ])
        .args(["-i", input.to_str().unwrap(), "-o", "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap(); // like `| head -1`: read one line, close the pipe
    assert!(first.starts_with("cluster,logit,"));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn keep_copies_columns_in_front_and_rows_stay_in_order_across_chunks() {
    let dir = scratch("keep");
    let n = 40_000; // many 4,096-row chunks
    let input = dir.join("in.csv");
    std::fs::write(&input, iris_with_ids(n)).unwrap();
    let output = dir.join("out.csv");
    explain_file(
        "kmeans_iris.json",
        &input,
        &output,
        &["--keep", "id,sepal_width_cm"],
    );
    let text = std::fs::read_to_string(&output).unwrap();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("id,sepal_width_cm,cluster,logit,R_sepal_length_cm,"));
    let source = iris_with_ids(n);
    let mut count = 0;
    for (i, (line, src)) in lines.zip(source.lines().skip(1)).enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let src_cells: Vec<&str> = src.split(',').collect();
        assert_eq!(cells[0], i.to_string());
        assert_eq!(cells[1], src_cells[2], "kept cell copied unchanged");
        count += 1;
    }
    assert_eq!(count, n);
}

#[test]
fn kept_text_cells_are_copied_unchanged() {
    let input = "name,when,x0,x1,x2,x3,x4\n\"a, b\",2024-01-01T00:00:00Z,1,2,3,4,5\n";
    let out = run_with_stdin(
        &[
            "score",
            "-m",
            &model_path("ocsvm_blobs.json"),
            "-i",
            "-",
            "-o",
            "-",
            "--keep",
            "name,when",
        ],
        input.as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "name,when,decision_function,outlierness"
    );
    assert!(lines
        .next()
        .unwrap()
        .starts_with("\"a, b\",2024-01-01T00:00:00Z,"));
}

#[test]
fn delimiter_applies_to_input_and_output() {
    let input = std::fs::read_to_string(model_path("kmeans_iris.input.csv")).unwrap();
    let out = explain_stdin(
        "kmeans_iris.json",
        &["--delimiter", ";"],
        input.replace(',', ";").as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        explain_stdout("kmeans_iris", &[]).replace(',', ";")
    );
}

#[test]
fn bom_and_crlf_are_accepted() {
    let input = std::fs::read_to_string(model_path("kmeans_iris.input.csv")).unwrap();
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(input.replace('\n', "\r\n").into_bytes());
    let out = explain_stdin("kmeans_iris.json", &[], &bytes);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), explain_stdout("kmeans_iris", &[]));
}

#[test]
fn header_only_input_writes_the_header() {
    let dir = scratch("header-only");
    let input = dir.join("in.csv");
    std::fs::write(&input, "x0,x1,x2,x3,x4\n").unwrap();
    let output = dir.join("out.csv");
    explain_file("ocsvm_blobs.json", &input, &output, &[]);
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "decision_function,outlierness,R_x0,R_x1,R_x2,R_x3,R_x4\n"
    );
}

#[test]
fn broken_pipe_in_a_shell_pipeline_with_head() {
    let dir = scratch("head-1");
    let input = dir.join("big.csv");
    std::fs::write(&input, iris_with_ids(50_000)).unwrap();
    let script = format!(
        "set -o pipefail; '{bin}' explain -m '{model}' --ignore-extra -i '{input}' -o - 2>'{err}' | head -1",
        bin = env!("CARGO_BIN_EXE_neuralize"),
        model = model_path("kmeans_iris.json"),
        input = input.display(),
        err = dir.join("stderr.txt").display(),
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("cluster,logit,"));
    assert_eq!(stdout(&out).lines().count(), 1);
    assert_eq!(std::fs::read_to_string(dir.join("stderr.txt")).unwrap(), "");
}

#[test]
fn the_default_rule_is_the_one_info_names_and_conserves() {
    for name in FIXTURES {
        let default = explain_stdout(name, &[]);
        // `info` names the default method and why; explaining with it by name gives the
        // same table.
        let path = model_path(&format!("{name}.json"));
        let info = run(&["info", "-m", &path, "--json"]);
        let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
        let method = info["default_method"].as_str().unwrap().to_string();
        assert!(
            !info["default_method_reason"].as_str().unwrap().is_empty(),
            "{name}"
        );
        if name.starts_with("ocsvm") || name.starts_with("kde") {
            assert_eq!(Some(method.as_str()), kernel_default(name), "{name}");
        } else if name.starts_with("kmeans") {
            assert_eq!(method, "neon-spread@auto", "{name}");
        }
        assert_eq!(
            default,
            explain_stdout(name, &["--method", &method]),
            "{name}"
        );
        let (rule, beta) = method.split_once('@').unwrap();
        assert_eq!(
            default,
            explain_stdout(name, &["--rule", rule, "--beta", beta]),
            "{name}"
        );
        let (_, rows) = parse_csv(&default);
        for (r, row) in rows.iter().enumerate() {
            let total: f64 = row[2..].iter().sum();
            assert!(
                (total - row[1]).abs() <= 1e-9 * row[1].abs().max(1.0),
                "{name} row {r}: relevances sum to {total}, output {}",
                row[1]
            );
        }
    }
}

/// rbf kernel models explain with `neon-pick@1` without options, laplacian ones with
/// `neon-path@1`: the same bytes as the named method, different from the other rule set, and
/// `info` names the default and why.
#[test]
fn explain_without_options_runs_neon_pick_on_rbf_and_neon_path_on_laplacian() {
    for (name, default, other) in [
        ("ocsvm_breast_cancer", "neon-pick@1", "neon-lean@1"),
        ("kde_iris", "neon-pick@1", "neon-path@1"),
        ("ocsvm_digits_laplacian", "neon-path@1", "neon-lean@1"),
    ] {
        let plain = explain_stdout(name, &[]);
        assert_eq!(
            plain,
            explain_stdout(name, &["--method", default]),
            "{name}"
        );
        assert_eq!(
            plain,
            explain_stdout(name, &["--method", "default"]),
            "{name}"
        );
        let path = model_path(&format!("{name}.json"));
        let info = stdout(&run(&["info", "-m", &path]));
        assert!(
            info.contains(&format!(
                "default method   {default} (what explain runs without options)"
            )),
            "{name}:\n{info}"
        );
        if default == "neon-pick@1" {
            assert_ne!(plain, explain_stdout(name, &["--method", other]), "{name}");
            assert!(
                info.contains("why              neon-lean (neon-path with the features after"),
                "{name}:\n{info}"
            );
            assert!(
                info.contains("neon-lean@1, still available"),
                "{name}:\n{info}"
            );
            assert!(
                info.contains("flipping-faithful baseline's on all 40"),
                "{name}:\n{info}"
            );
        } else {
            // neon-lean is refused on laplacian models, with the rule sets they take.
            let input = model_path(&format!("{name}.input.csv"));
            let out = run(&[
                "explain", "-m", &path, "-i", &input, "-o", "-", "--method", other,
            ]);
            assert_fails_with(&out, "neon-lean is not defined for one_class_svm");
            assert!(
                info.contains("why              NEON rooted at the reference"),
                "{name}:\n{info}"
            );
        }
    }
}

#[test]
fn one_and_two_threads_write_identical_files() {
    let input = std::fs::read_to_string(model_path("ocsvm_digits_laplacian.input.csv")).unwrap();
    let mut lines = input.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    // 20 copies: several 256-row parallel chunks.
    let big = format!("{header}\n{}\n", vec![rows.join("\n"); 20].join("\n"));
    let model = model_path("ocsvm_digits_laplacian.json");
    let outputs = stdout_on_one_and_two_threads(
        &["explain", "-m", &model, "-i", "-", "-o", "-"],
        big.as_bytes(),
        "laplacian",
    );
    assert_eq!(outputs[0].lines().count(), 20 * rows.len() + 1);
    assert!(outputs[0] == outputs[1], "--threads 1 and 2 differ");
}

#[test]
fn quoted_multiline_crlf_input_gives_the_same_bytes_on_one_and_two_threads() {
    // Kept cells with delimiters, quotes, CR, LF and CRLF; all three line endings and blank
    // lines; 10,000 rows: three reader blocks cut at every kind of place.
    let notes = [
        "plain",
        "\"a,b\"",
        "\"two\nlines\"",
        "\"cr\r\nlf\"",
        "\"q\"\"uote\"",
        "",
        "x\"y",
    ];
    let endings = ["\n", "\r\n", "\r"];
    let input = std::fs::read_to_string(model_path("kde_iris.input.csv")).unwrap();
    let mut lines = input.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let mut text = format!("note,{header},tag\r\n");
    let n = 10_000;
    for r in 0..n {
        let note = notes[r % notes.len()];
        let tag = notes[(r / 3) % notes.len()];
        text += &format!("{note},{},{tag}{}", rows[r % rows.len()], endings[r % 3]);
        if r % 7 == 0 {
            text += "\r\n";
        }
    }
    let model = model_path("kde_iris.json");
    let outputs = stdout_on_one_and_two_threads(
        &[
            "explain", "-m", &model, "-i", "-", "-o", "-", "--keep", "note,tag",
        ],
        text.as_bytes(),
        "kept cells",
    );
    assert!(outputs[0] == outputs[1], "--threads 1 and 2 differ");
    // The kept cells come back unchanged, row by row.
    let mut read = csv::ReaderBuilder::new().from_reader(outputs[0].as_bytes());
    let records: Vec<csv::StringRecord> = read.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), n);
    let unquote = |cell: &str| match cell.strip_prefix('"') {
        Some(inner) if cell.len() > 1 => inner[..inner.len() - 1].replace("\"\"", "\""),
        _ => cell.to_string(),
    };
    for (r, record) in records.iter().enumerate() {
        assert_eq!(record[0], unquote(notes[r % notes.len()]), "row {r}");
        assert_eq!(record[1], unquote(notes[(r / 3) % notes.len()]), "row {r}");
    }
}

#[test]
fn every_shipped_model_writes_the_same_bytes_on_one_and_two_threads() {
    // Each model's input repeated past one 4,096-row reader block (CRLF line endings), with
    // the default method and `score`.
    for name in shipped_models() {
        let input = model_path(&format!("{name}.input.csv"));
        let Ok(text) = std::fs::read_to_string(&input) else {
            continue;
        };
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let rows: Vec<&str> = lines.collect();
        let copies = 4_500 / rows.len() + 1;
        let big = format!(
            "{header}\r\n{}\r\n",
            vec![rows.join("\r\n"); copies].join("\r\n")
        );
        let model = model_path(&format!("{name}.json"));
        for command in ["explain", "score"] {
            let outputs = stdout_on_one_and_two_threads(
                &[command, "-m", &model, "-i", "-", "-o", "-"],
                big.as_bytes(),
                &name,
            );
            assert_eq!(
                outputs[0].lines().count(),
                copies * rows.len() + 1,
                "{name}"
            );
            assert!(
                outputs[0] == outputs[1],
                "{name} {command}: --threads 1 and 2 differ"
            );
        }
    }
}

/// `explain --method neon-spread@auto` runs on a k-means model: the same table as `--rule
/// neon-spread --beta auto`, conserving, within 1e-10 of the NumPy oracle
/// (scripts/neon_oracle_kmeans_spread.py), and not neon-path's on digits.
#[test]
fn explain_runs_neon_spread_on_kmeans() {
    let name = "kmeans_digits";
    let spread = explain_stdout(name, &["--method", "neon-spread@auto"]);
    assert_eq!(
        spread,
        explain_stdout(name, &["--rule", "neon-spread", "--beta", "auto"])
    );
    assert_ne!(
        spread,
        explain_stdout(name, &["--method", "neon-path@auto"])
    );
    let (_, rows) = parse_csv(&spread);
    let expected =
        std::fs::read_to_string(model_path(&format!("{name}.expected_spread.csv"))).unwrap();
    let (_, expected) = parse_csv(&expected);
    assert_eq!(rows.len(), expected.len());
    for (r, (row, want)) in rows.iter().zip(&expected).enumerate() {
        let total: f64 = row[2..].iter().sum();
        assert!(
            (total - row[1]).abs() <= 1e-9 * row[1].abs().max(1.0),
            "row {r}"
        );
        for (a, b) in row.iter().zip(want) {
            assert!(
                (a - b).abs() <= 1e-10 * b.abs().max(1.0),
                "row {r}: {a} vs {b}"
            );
        }
    }
}
