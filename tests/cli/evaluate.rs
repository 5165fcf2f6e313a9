//! `neuralize evaluate` (not covered by the old command-line tests): the table, the curves
//! file, and `plot curves` on what it writes.

use crate::support::*;

#[test]
fn evaluate_writes_a_table_and_curves_that_plot_accepts() {
    let dir = scratch("evaluate-curves");
    let curves = dir.join("curves.csv");
    let model = model_path("kmeans_iris.json");
    let input = model_path("kmeans_iris.input.csv");
    let methods = ["default", "neon", "occlusion", "random"];
    let out = run(&[
        "evaluate",
        "-m",
        &model,
        "-i",
        &input,
        "--reference",
        &input,
        "--methods",
        &methods.join(","),
        "--draws",
        "2",
        "--curves",
        curves.to_str().unwrap(),
    ]);
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
