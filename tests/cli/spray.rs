//! `neuralize spray`: planted anomalies of three kinds on a shipped model are recovered
//! (explain, then spray), the summary names their features, and bad input gets a clear
//! error with the output left untouched.

use crate::support::*;

/// Rows of the breast-cancer input with anomalies of three kinds planted (60 each): kind 0
/// features 0–2 up by 3 standard deviations, kind 1 features 5–7 down by 3, kind 2
/// feature 13 up by 12 (as `examples/spray_anomalies.rs`).
fn planted_csv() -> (String, Vec<usize>) {
    let text = std::fs::read_to_string(model_path("ocsvm_breast_cancer.input.csv")).unwrap();
    let (header, rows) = parse_csv(&text);
    let (n, d) = (rows.len(), header.len());
    let mean: Vec<f64> = (0..d)
        .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n as f64)
        .collect();
    let std: Vec<f64> = (0..d)
        .map(|j| (rows.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n as f64).sqrt())
        .collect();
    let kinds: [(&[usize], f64); 3] = [(&[0, 1, 2], 3.0), (&[5, 6, 7], -3.0), (&[13], 12.0)];
    let mut out = format!("kind,{}\n", header.join(","));
    let mut truth = Vec::new();
    for i in 0..180 {
        let kind = i / 60;
        let (features, shift) = kinds[kind];
        let base = &rows[(7 * i) % n];
        let cells: Vec<String> = (0..d)
            .map(|j| {
                let v = if features.contains(&j) {
                    (base[j] + shift * std[j]).max(mean[j] - 5.0 * std[j])
                } else {
                    base[j]
                };
                v.to_string()
            })
            .collect();
        out += &format!("{kind},{}\n", cells.join(","));
        truth.push(kind);
    }
    (out, truth)
}

/// Adjusted Rand index (Hubert & Arabie 1985).
fn adjusted_rand(a: &[usize], b: &[usize]) -> f64 {
    let k = 1 + a.iter().chain(b).max().unwrap();
    let mut table = vec![vec![0f64; k]; k];
    for (&x, &y) in a.iter().zip(b) {
        table[x][y] += 1.0;
    }
    let pairs = |v: f64| v * (v - 1.0) / 2.0;
    let index: f64 = table.iter().flatten().map(|&v| pairs(v)).sum();
    let rows: f64 = table.iter().map(|r| pairs(r.iter().sum())).sum();
    let cols: f64 = (0..k)
        .map(|j| pairs(table.iter().map(|r| r[j]).sum()))
        .sum();
    let expected = rows * cols / pairs(a.len() as f64);
    (index - expected) / ((rows + cols) / 2.0 - expected)
}

#[test]
fn planted_anomalies_of_three_kinds_are_recovered() {
    let dir = scratch("spray-planted");
    let (planted, truth) = planted_csv();
    let input = dir.join("planted.csv");
    std::fs::write(&input, planted).unwrap();
    let explained = dir.join("explained.csv");
    let model = model_path("ocsvm_breast_cancer.json");
    let out = run(&[
        "explain",
        "-m",
        &model,
        "-i",
        input.to_str().unwrap(),
        "-o",
        explained.to_str().unwrap(),
        "--keep",
        "kind",
        // The NEON share relative to the nearest support vectors: the reference-rooted
        // default (and occlusion, gradient x input, integrated gradients alike) gives the
        // 12-std kind so much relevance that `--clusters auto` picks 2 clusters here (with
        // `--clusters 3` it recovers the kinds exactly; docs/faithfulness.md).
        "--method",
        "neon-floor@auto",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let clusters = dir.join("clusters.csv");
    let summary = dir.join("summary.json");
    let out = run(&[
        "spray",
        "-r",
        explained.to_str().unwrap(),
        "-o",
        clusters.to_str().unwrap(),
        "--keep",
        "kind",
        "--summary",
        summary.to_str().unwrap(),
        "--threads",
        "1",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (header, rows) = parse_csv(&std::fs::read_to_string(&clusters).unwrap());
    assert_eq!(header, ["kind", "cluster", "embedding_0", "embedding_1"]);
    assert_eq!(
        rows.iter().map(|r| r[0] as usize).collect::<Vec<_>>(),
        truth
    );
    let labels: Vec<usize> = rows.iter().map(|r| r[1] as usize).collect();
    let ari = adjusted_rand(&labels, &truth);
    assert!(ari >= 0.9, "adjusted Rand index {ari}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(json["clusters"], 3);
    assert_eq!(json["eigenvalues"].as_array().unwrap().len(), 32);
    assert!(json["choice"]["gap"].as_f64().unwrap() > 0.0);
    // Each cluster's top feature is one of the planted features of its majority kind.
    let planted_features = [
        &["mean_radius", "mean_texture", "mean_perimeter"][..],
        &["mean_compactness", "mean_concavity", "mean_concave_points"],
        &["area_error"],
    ];
    for c in json["cluster_summaries"].as_array().unwrap() {
        let id = c["cluster"].as_u64().unwrap() as usize;
        let mut counts = [0; 3];
        for (l, t) in labels.iter().zip(&truth) {
            if *l == id {
                counts[*t] += 1;
            }
        }
        let kind = (0..3).max_by_key(|&k| counts[k]).unwrap();
        let top = c["top_features"][0].as_str().unwrap();
        assert!(
            planted_features[kind].contains(&top),
            "cluster {id} kind {kind}: {top}"
        );
    }
    // Pictures: the spectrum with the chosen count, the embedding with a legend of sizes.
    let spectrum = dir.join("spectrum.svg");
    let out = run(&[
        "plot",
        "spectrum",
        "--summary",
        summary.to_str().unwrap(),
        "-o",
        spectrum.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&spectrum)
        .unwrap()
        .contains("3 clusters"));
    let embedding = dir.join("embedding.svg");
    let out = run(&[
        "plot",
        "embedding",
        "--clusters",
        clusters.to_str().unwrap(),
        "--summary",
        summary.to_str().unwrap(),
        "-o",
        embedding.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = std::fs::read_to_string(&embedding).unwrap();
    assert!(svg.contains("cluster 2") && svg.contains("rows)"), "legend");
    let out = run(&[
        "plot",
        "embedding",
        "--clusters",
        explained.to_str().unwrap(),
        "-o",
        embedding.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("missing column \"cluster\""),
        "{}",
        stderr(&out)
    );
    // Explaining first in the same command gives the same clusters.
    let direct = dir.join("direct.csv");
    let direct_summary = dir.join("direct.json");
    let out = run(&[
        "spray",
        "-m",
        &model,
        "-i",
        input.to_str().unwrap(),
        "-o",
        direct.to_str().unwrap(),
        "--keep",
        "kind",
        "--only-outliers",
        "--method",
        "neon-floor@auto",
        "--summary",
        direct_summary.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&direct).unwrap(),
        std::fs::read(&clusters).unwrap()
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&direct_summary).unwrap()).unwrap();
    let first = &json["cluster_summaries"][0];
    assert!(first["mean_input"]["mean_radius"].as_f64().unwrap() > 0.0);
    let row = first["prototypes"][0].as_u64().unwrap();
    assert_eq!(first["prototype_lines"][0].as_u64().unwrap(), row + 2);
    // Same result on another thread count.
    let again = dir.join("again.csv");
    let out = run(&[
        "spray",
        "-r",
        explained.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
        "--keep",
        "kind",
        "--threads",
        "2",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&clusters).unwrap()
    );
}

#[test]
fn spray_errors_are_clear_and_leave_the_output_alone() {
    let dir = scratch("spray-errors");
    let out_path = dir.join("out.csv");
    let fails = |name: &str, text: &str, extra: &[&str]| -> String {
        let input = dir.join(name);
        std::fs::write(&input, text).unwrap();
        std::fs::write(&out_path, "old\n").unwrap();
        let mut args = vec![
            "spray",
            "-r",
            input.to_str().unwrap(),
            "-o",
            out_path.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(!out.status.success());
        assert_eq!(std::fs::read_to_string(&out_path).unwrap(), "old\n");
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{err}");
        err
    };
    let err = fails("none.csv", "a,b\n1,2\n", &[]);
    assert!(
        err.contains("none.csv") && err.contains("no relevance columns"),
        "{err}"
    );
    let few: String =
        "R_a,R_b\n".to_string() + &(0..5).map(|i| format!("{i},1\n")).collect::<String>();
    let err = fails("few.csv", &few, &[]);
    assert!(err.contains("few.csv") && err.contains("5 rows"), "{err}");
    let mut nan = "R_a,R_b\n".to_string();
    for i in 0..20 {
        nan += &format!(
            "{i},{}\n",
            if i == 12 {
                "nan".to_string()
            } else {
                "1".to_string()
            }
        );
    }
    let err = fails("nan.csv", &nan, &["--neighbors", "3"]);
    assert!(err.contains("nan.csv") && err.contains("line 14"), "{err}");
    let constant = "R_a,R_b\n".to_string() + &"1,2\n".repeat(20);
    let err = fails("constant.csv", &constant, &["--neighbors", "3"]);
    assert!(err.contains("identical"), "{err}");
    let err = fails("constant2.csv", &constant, &["--clusters", "zero"]);
    assert!(err.contains("clusters"), "{err}");
    // The output may not be the input.
    let input = dir.join("same.csv");
    std::fs::write(&input, &constant).unwrap();
    let out = run(&[
        "spray",
        "-r",
        input.to_str().unwrap(),
        "-o",
        input.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read_to_string(&input).unwrap(), constant);
}
