//! `neuralize spray --clustering dbscan`: the output's clusters (-1 for noise) agree with
//! the summary's sizes, the pictures accept noise, and bad parameters are one-line errors.

use crate::support::*;
use std::collections::BTreeMap;

#[test]
fn dbscan_output_and_summary_agree_and_noise_is_minus_one() {
    let dir = scratch("spray-dbscan");
    let s = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let model = model_path("ocsvm_digits_rbf.json");
    let input = model_path("ocsvm_digits_rbf.input.csv");
    let out = run(&["explain", "-m", &model, "-i", &input, "-o", &s("R.csv")]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A small radius and a large core size: some rows are noise, whatever the embedding.
    let spray = |output: &str, summary: &str, eps: &str, min_samples: &str| {
        run(&[
            "spray",
            "-r",
            &s("R.csv"),
            "-o",
            &s(output),
            "--summary",
            &s(summary),
            "--clusters",
            "4",
            "--clustering",
            "dbscan",
            "--eps",
            eps,
            "--min-samples",
            min_samples,
        ])
    };
    let out = spray("C.csv", "S.json", "0.2", "20");
    assert!(out.status.success(), "{}", stderr(&out));
    let (header, rows) = parse_csv(&std::fs::read_to_string(dir.join("C.csv")).unwrap());
    assert_eq!(header, ["cluster", "embedding_0", "embedding_1"]);
    let mut sizes: BTreeMap<i64, usize> = BTreeMap::new();
    for r in &rows {
        assert_eq!(r[0].fract(), 0.0);
        assert!(r[0] >= -1.0);
        *sizes.entry(r[0] as i64).or_default() += 1;
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("S.json")).unwrap()).unwrap();
    assert_eq!(json["clustering"]["method"], "dbscan");
    let summary: BTreeMap<i64, usize> = json["cluster_summaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["cluster"].as_i64().unwrap(),
                c["size"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    assert_eq!(summary, sizes);
    let noise = sizes.get(&-1).copied().unwrap_or(0);
    assert_eq!(
        json["clustering"]["noise_rows"].as_u64().unwrap() as usize,
        noise
    );
    assert!(
        noise > 0,
        "min-samples 20 of 108 rows leaves some noise: {sizes:?}"
    );
    // Clusters are numbered 0.. without gaps, largest first.
    let clusters: Vec<usize> = sizes
        .iter()
        .filter(|(&c, _)| c >= 0)
        .map(|(_, &n)| n)
        .collect();
    assert!(sizes
        .keys()
        .filter(|&&c| c >= 0)
        .copied()
        .eq(0..clusters.len() as i64));
    assert!(clusters.windows(2).all(|w| w[0] >= w[1]), "{clusters:?}");
    // The pictures take the noise.
    for args in [
        vec![
            "plot",
            "embedding",
            "--clusters",
            &s("C.csv"),
            "-o",
            &s("e.svg"),
        ],
        vec![
            "plot",
            "clusters",
            "--summary",
            &s("S.json"),
            "--shape",
            "8x8",
            "-o",
            &s("c.png"),
        ],
    ] {
        let out = run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    if noise > 0 {
        let svg = std::fs::read_to_string(dir.join("e.svg")).unwrap();
        assert!(svg.contains(&format!("noise ({noise} rows)")));
    }
    // Bad parameters: one line, exit 1, no output.
    for (eps, min_samples, needle) in [("0", "5", "eps"), ("0.5", "0", "min_samples")] {
        let out = spray("bad.csv", "bad.json", eps, min_samples);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{err}");
        assert!(!dir.join("bad.csv").exists() && !dir.join("bad.json").exists());
    }
    let out = run(&[
        "spray",
        "-r",
        &s("R.csv"),
        "-o",
        &s("bad.csv"),
        "--clustering",
        "optics",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("kmeans, dbscan"), "{}", stderr(&out));
}
