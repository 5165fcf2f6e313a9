//! `neuralize explain --target log-odds` on Gaussian mixtures: columns `cluster,logit,R_...`,
//! the cluster is scikit-learn's `predict`, the relevances add up to the logit.

use crate::support::*;

fn explain(name: &str, extra: &[&str]) -> std::process::Output {
    let model = model_path(&format!("{name}.json"));
    let input = model_path(&format!("{name}.input.csv"));
    let mut args = vec!["explain", "-m", &model, "-i", &input, "-o", "-"];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn the_cluster_target_writes_cluster_logit_and_conserving_relevances() {
    let sk = std::fs::read_to_string(model_path("gmm_wine_tied.sklearn.csv")).unwrap();
    let (sk_header, sk_rows) = parse_csv(&sk);
    let predict = sk_header.iter().position(|h| h == "predict").unwrap();
    for extra in [
        &["--target", "log-odds"][..],
        &["--target", "log-odds", "--cluster", "1"],
    ] {
        let out = explain("gmm_wine_tied", extra);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let (header, rows) = parse_csv(&stdout(&out));
        assert_eq!(header[..2], ["cluster", "logit"], "{extra:?}");
        assert!(header[2].starts_with("R_"), "{header:?}");
        assert_eq!(rows.len(), sk_rows.len());
        for (r, (row, sk)) in rows.iter().zip(&sk_rows).enumerate() {
            assert_eq!(row[0], sk[predict], "row {r}: cluster");
            let total: f64 = row[2..].iter().sum();
            assert!(
                (total - row[1]).abs() <= 1e-9 * row[1].abs().max(1.0),
                "{extra:?} row {r}: {total} vs {}",
                row[1]
            );
        }
    }
    let out = explain("gmm_wine_tied", &["--target", "logit"]);
    assert_eq!(out.status.code(), Some(1));
}

/// The log-odds default is `occlusion-share` (what `--rule occlusion-share` prints), and the
/// published split stays available as `--rule neon`.
#[test]
fn the_log_odds_default_is_occlusion_share_and_neon_stays() {
    let default = stdout(&explain("gmm_iris_full", &["--target", "log-odds"]));
    let named = explain(
        "gmm_iris_full",
        &["--target", "log-odds", "--rule", "occlusion-share"],
    );
    assert_eq!(named.status.code(), Some(0), "{}", stderr(&named));
    assert_eq!(default, stdout(&named));
    let neon = explain("gmm_iris_full", &["--target", "log-odds", "--rule", "neon"]);
    assert_eq!(neon.status.code(), Some(0), "{}", stderr(&neon));
    assert_ne!(default, stdout(&neon));
    let outlierness = explain("gmm_iris_full", &["--rule", "occlusion-share"]);
    assert_fails_with(
        &outlierness,
        "occlusion-share is not defined for gaussian_mixture",
    );
}

/// `info` names the log-odds default next to the outlierness one (text and JSON); a model
/// without that target has none.
#[test]
fn info_names_the_log_odds_default() {
    let model = model_path("gmm_iris_full.json");
    let text = stdout(&run(&["info", "-m", &model]));
    assert!(
        text.lines()
            .any(|l| l.starts_with("log-odds default") && l.contains("occlusion-share")),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["info", "-m", &model, "--json"]))).unwrap();
    assert_eq!(json["default_method"], "neon-floor@auto");
    let log_odds = &json["log_odds_default"];
    assert!(log_odds["method"]
        .as_str()
        .unwrap()
        .starts_with("occlusion-share"));
    assert!(log_odds["reason"].as_str().unwrap().contains("occlusion"));
    let kmeans = model_path("kmeans_wine.json");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["info", "-m", &kmeans, "--json"]))).unwrap();
    assert!(json["log_odds_default"].is_null());
}
