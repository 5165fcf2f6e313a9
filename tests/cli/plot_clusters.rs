//! `neuralize plot clusters`: one panel per SpRAy cluster of the digits outliers. The PNG
//! has the library's size, each panel's reddest cell is its cluster's most relevant pixel,
//! the summary and the CSV routes draw the same picture, and bad input is a one-line error.

use crate::support::*;
use neuralize::plot::{ClusterPanel, ClusterPanels, PanelKind};
use std::path::Path;

/// Decode an RGB PNG: (width, height, pixels).
fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    (info.width, info.height, pixels)
}

fn ok(args: &[&str]) {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
}

/// The features and the (cluster, size, mean relevance) panels of a spray summary.
fn panels_of(summary: &Path) -> (Vec<String>, Vec<ClusterPanel>) {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(summary).unwrap()).unwrap();
    let features: Vec<String> = serde_json::from_value(json["features"].clone()).unwrap();
    let panels = json["cluster_summaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| ClusterPanel {
            cluster: c["cluster"].as_i64().unwrap(),
            size: c["size"].as_u64().unwrap() as usize,
            mean_relevance: features
                .iter()
                .map(|f| c["mean_relevance"][f].as_f64().unwrap())
                .collect(),
        })
        .collect();
    (features, panels)
}

#[test]
fn digits_clusters_are_drawn_as_8x8_heatmaps() {
    let dir = scratch("plot-clusters-digits");
    let model = model_path("ocsvm_digits_rbf.json");
    let input = model_path("ocsvm_digits_rbf.input.csv");
    let relevance = dir.join("R.csv");
    let clusters = dir.join("clusters.csv");
    let summary = dir.join("summary.json");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    ok(&["explain", "-m", &model, "-i", &input, "-o", &s(&relevance)]);
    ok(&[
        "spray",
        "-r",
        &s(&relevance),
        "-o",
        &s(&clusters),
        "--summary",
        &s(&summary),
        "--neighbors",
        "8",
    ]);
    let (features, panels) = panels_of(&summary);
    assert!(panels.len() >= 2, "{} clusters", panels.len());
    let figure = dir.join("clusters.png");
    ok(&[
        "plot",
        "clusters",
        "--summary",
        &s(&summary),
        "--shape",
        "8x8",
        "-o",
        &s(&figure),
    ]);
    let kind = PanelKind::Image {
        height: 8,
        width: 8,
    };
    let expected = ClusterPanels::new(features.clone(), panels.clone(), kind).unwrap();
    let (width, height, pixels) = decode_png(&figure);
    use neuralize::plot::Figure;
    assert_eq!((width, height), expected.size());
    for (p, panel) in panels.iter().enumerate() {
        let redness: Vec<i32> = (0..64)
            .map(|i| {
                let (x, y) = expected.cell_center(p, i).unwrap();
                let at = (y as usize * width as usize + x as usize) * 3;
                i32::from(pixels[at]) - i32::from(pixels[at + 2])
            })
            .collect();
        let reddest = (0..64).max_by_key(|&i| (redness[i], -(i as i64))).unwrap();
        let top = (0..64)
            .max_by(|&a, &b| {
                panel.mean_relevance[a]
                    .total_cmp(&panel.mean_relevance[b])
                    .then(b.cmp(&a))
            })
            .unwrap();
        assert_eq!(redness[reddest], 255, "panel {p}: full red at the maximum");
        assert_eq!(redness[top], 255, "panel {p}: pixel {top} is the reddest");
    }
    // The CSV route (clusters + relevance) computes the same means: the same picture.
    let from_tables = dir.join("from_tables.png");
    ok(&[
        "plot",
        "clusters",
        "--clusters",
        &s(&clusters),
        "--relevance",
        &s(&relevance),
        "--shape",
        "8x8",
        "-o",
        &s(&from_tables),
    ]);
    assert_eq!(decode_png(&from_tables).2, pixels);
    // Bars: an SVG with one titled panel per cluster.
    let bars = dir.join("bars.svg");
    ok(&[
        "plot",
        "clusters",
        "--summary",
        &s(&summary),
        "--top",
        "6",
        "-o",
        &s(&bars),
    ]);
    let svg = std::fs::read_to_string(&bars).unwrap();
    for panel in &panels {
        let title = format!("cluster {}: {} rows", panel.cluster, panel.size);
        assert!(svg.contains(&title), "{title}");
    }

    // Errors: one line, exit 1, no picture.
    let bad = dir.join("bad.png");
    let fails = |args: &[&str], needles: &[&str]| {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        for needle in needles {
            assert!(err.contains(needle), "{err:?} should contain {needle:?}");
        }
        assert!(!bad.exists());
    };
    let summary_args = |shape: &str| {
        vec![
            "plot".to_string(),
            "clusters".into(),
            "--summary".into(),
            s(&summary),
            "--shape".into(),
            shape.into(),
            "-o".into(),
            s(&bad),
        ]
    };
    let args = summary_args("7x8");
    fails(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &["shape", "7x8 has 56 pixels", "64 features"],
    );
    let broken = dir.join("broken.json");
    std::fs::write(
        &broken,
        r#"{"features": ["a"], "cluster_summaries": [{"cluster": 0}]}"#,
    )
    .unwrap();
    let args = ["plot", "clusters", "--summary", &s(&broken), "-o", &s(&bad)];
    fails(&args, &["broken.json", "cluster_summaries[0].size"]);
    let args = [
        "plot",
        "clusters",
        "--clusters",
        &s(&clusters),
        "--relevance",
        &input,
        "-o",
        &s(&bad),
    ];
    fails(&args, &["R_<feature>"]);
}
