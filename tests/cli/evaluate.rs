//! `neuralize evaluate` (not covered by the old command-line tests): the table, the curves
//! file, and `plot curves` on what it writes.

use crate::support::*;

#[test]
fn evaluate_writes_a_table_and_curves_that_plot_accepts() {
    let dir = scratch("evaluate-curves");
    let curves = dir.join("curves.csv");
    let methods = ["default", "neon", "occlusion", "random"];
    let args = iris_evaluate(&methods.join(","), &["--curves", curves.to_str().unwrap()]);
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        table.contains("rows explained (output > 0): 50 of 50"),
        "{table}"
    );
    for method in methods {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(&format!("| {method} |"))),
            "{method} in {table}"
        );
    }
    let text = std::fs::read_to_string(&curves).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["method", "imputation", "step", "mean_output"]
    );
    let mut seen = std::collections::BTreeSet::new();
    for record in reader.records() {
        let record = record.unwrap();
        let value: f64 = record[3].parse().unwrap();
        assert!(value.is_finite(), "{record:?}");
        if &record[2] == "0" {
            // Nothing flipped yet: the relative output is 1.
            assert!((value - 1.0).abs() <= 1e-9, "{record:?}");
        }
        seen.insert((record[0].to_string(), record[1].to_string()));
    }
    for method in methods {
        for imputation in ["mean", "marginal"] {
            assert!(
                seen.contains(&(method.to_string(), imputation.to_string())),
                "{method}/{imputation} in {seen:?}"
            );
        }
    }
    let figure = dir.join("curves.svg");
    let out = run(&[
        "plot",
        "curves",
        "--curves",
        curves.to_str().unwrap(),
        "--output",
        figure.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&figure).unwrap().contains("<svg"));
}

/// The gap columns: each method's area over the lowest of the others' minus 1 (as printed,
/// to the table's rounding), an interval around it, `random` clearly behind, and the same
/// table for the same seed.
#[test]
fn evaluate_gives_each_methods_gap_to_the_best_other_with_an_interval() {
    let args = iris_evaluate("default,occlusion,random", &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    let rows = table_cells(&table);
    assert_eq!(rows.len(), 3, "{table}");
    // All but the timing column are fixed by the seed.
    let untimed = |rows: Vec<Vec<String>>| -> Vec<Vec<String>> {
        rows.into_iter()
            .map(|mut r| {
                r.remove(3);
                r
            })
            .collect()
    };
    assert_eq!(
        untimed(rows.clone()),
        untimed(table_cells(&stdout(&run(&args)))),
        "the bootstrap is seeded"
    );
    for column in 0..2 {
        let areas: Vec<f64> = rows
            .iter()
            .map(|r| r[1 + column].parse().unwrap())
            .collect();
        for (m, row) in rows.iter().enumerate() {
            let cell = &row[4 + column];
            // "+1.2% [-0.3, +2.8]"
            let (point, interval) = cell.split_once("% [").expect(cell);
            let point: f64 = point.parse().unwrap();
            let (low, high) = interval.trim_end_matches(']').split_once(", ").expect(cell);
            let (low, high): (f64, f64) = (low.parse().unwrap(), high.parse().unwrap());
            assert!(low <= point + 0.05 && point <= high + 0.05, "{cell}");
            let best_other = (0..3)
                .filter(|&b| b != m)
                .map(|b| areas[b])
                .fold(f64::INFINITY, f64::min);
            let expected = 100.0 * (areas[m] / best_other - 1.0);
            // The areas are printed to 4 decimals: allow their rounding.
            let slack = 100.0 * 0.0001 / best_other * (1.0 + areas[m] / best_other) + 0.05;
            assert!((point - expected).abs() <= slack, "{cell} vs {expected}");
        }
        assert!(
            rows[2][4 + column].starts_with('+'),
            "random is behind: {table}"
        );
    }
    assert!(table.contains("vs best other:"), "{table}");
}

/// `evaluate` of the k-means iris fixture on its own rows (also the reference), 2 draws.
fn iris_evaluate(methods: &str, extra: &[&str]) -> Vec<String> {
    let input = model_path("kmeans_iris.input.csv");
    let mut args: Vec<String> = [
        "evaluate",
        "-m",
        &model_path("kmeans_iris.json"),
        "-i",
        &input,
        "--reference",
        &input,
        "--methods",
        methods,
        "--draws",
        "2",
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|a| a.to_string()));
    args
}

/// The cells of the table's method lines.
fn table_cells(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| method"))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

/// `--target log-odds` flips what `explain --target log-odds` explains: the rows kept are
/// those with positive log-odds, and once every feature is at the reference mean (the last
/// step under mean imputation) each row's output is its class's log-odds at the reference,
/// which `explain --class C --target log-odds` gives on that one row.
#[test]
fn evaluate_target_log_odds_flips_the_log_odds() {
    let dir = scratch("evaluate-log-odds");
    let (model, input) = (
        model_path("mlp_wine.json"),
        model_path("mlp_wine.input.csv"),
    );
    let text = std::fs::read_to_string(&input).unwrap();
    let (header, rows) = parse_csv(&text);
    let means: Vec<String> = (0..header.len())
        .map(|j| (rows.iter().map(|r| r[j]).sum::<f64>() / rows.len() as f64).to_string())
        .collect();
    let reference = dir.join("reference_mean.csv");
    write_one_row_csv(&reference, &header, &means);
    let explain = |file: &str, extra: &[&str]| {
        let mut args = vec![
            "explain", "-m", &model, "-i", file, "-o", "-", "--target", "log-odds",
        ];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        parse_csv(&stdout(&out)).1
    };
    let at_reference: Vec<f64> = ["0", "1", "2"]
        .iter()
        .map(|class| explain(reference.to_str().unwrap(), &["--class", class])[0][1])
        .collect();
    let kept: Vec<(usize, f64)> = explain(&input, &[])
        .iter()
        .filter(|r| r[1] > 0.0)
        .map(|r| (r[0] as usize, r[1]))
        .collect();
    let expected_last = kept
        .iter()
        .map(|&(class, start)| at_reference[class].max(0.0) / start)
        .sum::<f64>()
        / kept.len() as f64;

    let curves = dir.join("curves.csv");
    let out = run(&[
        "evaluate",
        "-m",
        &model,
        "-i",
        &input,
        "--reference",
        &input,
        "--methods",
        "occlusion",
        "--draws",
        "1",
        "--target",
        "log-odds",
        "--curves",
        curves.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        table.contains(&format!(
            "rows explained (output > 0): {} of {}",
            kept.len(),
            rows.len()
        )),
        "{table}"
    );
    let last = std::fs::read_to_string(&curves)
        .unwrap()
        .lines()
        .find(|l| l.starts_with(&format!("occlusion,mean,{},", header.len())))
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .expect("the last mean-imputation step");
    assert!(
        (last - expected_last).abs() <= 1e-9 * expected_last.abs().max(1.0),
        "{last} vs {expected_last}"
    );
}

/// A model without a log-odds target is refused before any row is flipped.
#[test]
fn evaluate_target_log_odds_on_kmeans_is_refused() {
    let args = iris_evaluate("default", &["--target", "log-odds"]);
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_fails_with(&out, "this kmeans model has no log-odds target");
    let args = iris_evaluate("default", &["--target", "odds"]);
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_fails_with(&out, "unknown target \"odds\"");
}
