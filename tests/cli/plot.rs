//! `neuralize plot` through the real binary: decoded PNG pixels (size, the most positive
//! relevance is the reddest cell, the most negative the bluest), SVG parsed as XML with the
//! expected labels, and one-line errors with exit 1 for bad arguments.

use crate::support::*;
use neuralize::plot::{Heatmap, HeatmapLayout, HeatmapRow};
use std::path::{Path, PathBuf};

/// Decode an RGB PNG: (width, height, pixels).
fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    (info.width, info.height, pixels)
}

/// The layout the binary must have used for `rows` images of `height x width`.
fn layout(height: usize, width: usize, rows: usize) -> HeatmapLayout {
    let row = HeatmapRow {
        input: vec![0.0; height * width],
        relevance: vec![0.0; height * width],
        caption: String::new(),
    };
    *Heatmap::new(height, width, vec![row; rows])
        .unwrap()
        .layout()
}

/// `r - b` at the centre of every relevance cell of picture row `row`.
fn redness(
    pixels: &[u8],
    image_width: u32,
    layout: &HeatmapLayout,
    row: usize,
    d: usize,
) -> Vec<i32> {
    (0..d)
        .map(|i| {
            let (x, y) = layout.cell_center(row, 1, i);
            let at = (y as usize * image_width as usize + x as usize) * 3;
            i32::from(pixels[at]) - i32::from(pixels[at + 2])
        })
        .collect()
}

fn argmax(values: &[f64]) -> usize {
    (0..values.len())
        .max_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap()
}

fn argmin(values: &[f64]) -> usize {
    (0..values.len())
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap()
}

/// All text of an SVG document (panics if it is not well-formed XML).
fn svg_text(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let document = roxmltree::Document::parse(&text).expect("well-formed SVG");
    assert_eq!(document.root_element().tag_name().name(), "svg");
    document
        .descendants()
        .filter(|n| n.is_text())
        .map(|n| n.text().unwrap().trim().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Run `args` and expect success.
fn ok<S: AsRef<str>>(args: &[S]) {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let out = run(&args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
}

/// `plot KIND` with file options `(flag, path)` and then the other options.
fn plot(kind: &str, files: &[(&str, &Path)], options: &[&str]) -> Vec<String> {
    let mut args = vec!["plot".to_string(), kind.to_string()];
    for (flag, file) in files {
        args.push(flag.to_string());
        args.push(file.display().to_string());
    }
    args.extend(options.iter().map(|o| o.to_string()));
    args
}

fn path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// A 2x3 toy: relevance with a clear maximum (c) and minimum (e) in row 1; the input table's
/// columns are in another order, so they must be matched by name.
fn toy(dir: &Path) -> (PathBuf, PathBuf) {
    let relevance = path(dir, "R.csv");
    std::fs::write(
        &relevance,
        "decision_function,outlierness,R_a,R_b,R_c,R_d,R_e,R_f\n\
         0.5,-0.5,0.1,0.1,0.1,0.1,0.1,0.1\n\
         -1,0.75,0.25,-0.125,1.5,0.0625,-0.5,0.25\n",
    )
    .unwrap();
    let input = path(dir, "X.csv");
    std::fs::write(&input, "label,f,e,d,c,b,a\nx,1,2,3,4,5,6\ny,16,0,3,4,5,6\n").unwrap();
    (relevance, input)
}

#[test]
fn heatmap_png_has_the_layout_size_and_signed_colours() {
    let dir = scratch("plot-heatmap-toy");
    let (relevance, input) = toy(&dir);
    let figure = path(&dir, "fig.png");
    let files = [
        ("--relevance", &*relevance),
        ("--input", &input),
        ("--output", &figure),
    ];
    ok(&plot(
        "heatmap",
        &files,
        &["--shape", "2x3", "--rows", "1,0"],
    ));
    let layout = layout(2, 3, 2);
    let (width, height, pixels) = decode_png(&figure);
    assert_eq!((width, height), layout.size());
    let r = [0.25, -0.125, 1.5, 0.0625, -0.5, 0.25];
    let red = redness(&pixels, width, &layout, 0, 6);
    let as_f64: Vec<f64> = red.iter().map(|&v| f64::from(v)).collect();
    assert_eq!(argmax(&as_f64), argmax(&r), "{red:?}");
    assert_eq!(argmin(&as_f64), argmin(&r), "{red:?}");
    assert_eq!(red[2], 255, "the maximum gets full red");
    // Input by name: feature f (pixel 5) holds 16, the largest value: black ink; feature e
    // (pixel 4) holds 0, the smallest: white.
    let rgb = |(x, y): (i32, i32)| {
        let at = (y as usize * width as usize + x as usize) * 3;
        (pixels[at], pixels[at + 1], pixels[at + 2])
    };
    assert_eq!(rgb(layout.cell_center(0, 0, 5)), (0, 0, 0));
    assert_eq!(rgb(layout.cell_center(0, 0, 4)), (255, 255, 255));
    // A white page, with dark caption text below the panels.
    assert_eq!(rgb((0, 0)), (255, 255, 255), "white background");
    let dark_below_panels = pixels
        .chunks(3)
        .skip(width as usize * (height as usize - 40))
        .any(|p| p.iter().all(|&c| c < 200));
    assert!(
        dark_below_panels,
        "the caption is drawn (dark text on white)"
    );
    // Row 0's relevance is constant: every cell is the full red of its own scale.
    assert!(redness(&pixels, width, &layout, 1, 6)
        .iter()
        .all(|&v| v == 255));
}

#[test]
fn heatmap_of_a_digits_outlier_marks_its_most_relevant_pixel() {
    let dir = scratch("plot-heatmap-digits");
    let relevance = path(&dir, "R.csv");
    let input = PathBuf::from(model_path("ocsvm_digits_rbf.input.csv"));
    let model = model_path("ocsvm_digits_rbf.json");
    ok(&[
        "explain",
        "-m",
        &model,
        "-i",
        input.to_str().unwrap(),
        "-o",
        relevance.to_str().unwrap(),
    ]);
    let (header, rows) = parse_csv(&std::fs::read_to_string(&relevance).unwrap());
    assert_eq!(header[1], "outlierness");
    let outlier = argmax(&rows.iter().map(|r| r[1]).collect::<Vec<_>>());
    let figure = path(&dir, "digits.png");
    let files = [
        ("--relevance", &*relevance),
        ("--input", &input),
        ("--output", &figure),
    ];
    ok(&plot(
        "heatmap",
        &files,
        &["--shape", "8x8", "--rows", &outlier.to_string()],
    ));
    let layout = layout(8, 8, 1);
    let (width, height, pixels) = decode_png(&figure);
    assert_eq!((width, height), layout.size());
    let r = &rows[outlier][2..];
    let red = redness(&pixels, width, &layout, 0, 64);
    let reddest = (0..64).max_by_key(|&i| red[i]).unwrap();
    assert_eq!(reddest, argmax(r), "{red:?}");
}

#[test]
fn bars_svg_shows_the_top_features_and_the_sums() {
    let dir = scratch("plot-bars");
    let (relevance, _) = toy(&dir);
    let figure = path(&dir, "bars.svg");
    let files = [("--relevance", &*relevance), ("--output", &figure)];
    ok(&plot("bars", &files, &["--row", "1", "--top", "3"]));
    let text = svg_text(&figure);
    for label in [
        "c",
        "e",
        "a",
        "row 1: outlierness 0.7500",
        "sum of the 3 bars: 1.250",
    ] {
        assert!(
            text.lines()
                .any(|l| l == label || (label.len() > 1 && l.contains(label))),
            "{label:?} in {text}"
        );
    }
    for absent in ["b", "d", "f"] {
        assert!(
            !text.lines().any(|l| l == absent),
            "{absent:?} must not be shown: {text}"
        );
    }
    let png = path(&dir, "bars.PNG");
    ok(&plot(
        "bars",
        &[("--relevance", &relevance), ("--output", &png)],
        &["--row", "0"],
    ));
    let (width, height, _) = decode_png(&png);
    assert!(width > 0 && height > 0);
}

#[test]
fn curves_draw_one_panel_per_imputation_with_a_legend() {
    let dir = scratch("plot-curves");
    let curves = path(&dir, "curves.csv");
    let mut text = String::from("method,imputation,step,mean_output\n");
    for (method, imputation, values) in [
        ("neon", "mean", [1.0, 0.3, 0.0]),
        ("random", "mean", [1.0, 0.7, 0.0]),
        ("neon", "marginal", [1.0, 0.4, 0.1]),
        ("random", "marginal", [1.0, 0.8, 0.2]),
    ] {
        // Steps out of order on purpose.
        for step in [2, 0, 1] {
            text += &format!("{method},{imputation},{step},{}\n", values[step]);
        }
    }
    std::fs::write(&curves, text).unwrap();
    let svg = path(&dir, "curves.svg");
    ok(&plot(
        "curves",
        &[("--curves", &curves), ("--output", &svg)],
        &[],
    ));
    let labels = svg_text(&svg);
    for label in ["mean imputation", "marginal imputation", "neon", "random"] {
        assert!(labels.lines().any(|l| l == label), "{label:?} in {labels}");
    }
    let png = path(&dir, "curves.png");
    ok(&plot(
        "curves",
        &[("--curves", &curves), ("--output", &png)],
        &[],
    ));
    let (width, height, _) = decode_png(&png);
    assert_eq!((width, height), (1120, 440), "two panels side by side");
}

/// Run `args`, expect exit 1 with one stderr line containing every needle, and no picture.
fn fails(dir: &Path, args: &[&str], needles: &[&str]) {
    let before = other_files(dir, &[]).len();
    let out = run(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("error: ") && !err.contains("panicked"),
        "{err}"
    );
    for needle in needles {
        assert!(err.contains(needle), "{err:?} should contain {needle:?}");
    }
    assert_eq!(
        other_files(dir, &[]).len(),
        before,
        "no file may appear: {args:?}"
    );
}

#[test]
fn bad_arguments_are_one_line_errors() {
    let dir = scratch("plot-errors");
    let (relevance, input) = toy(&dir);
    let out = path(&dir, "fig.png");
    let heatmap = |shape: &str, rows: &str, input: &Path, output: &Path| {
        let files = [
            ("--relevance", &*relevance),
            ("--input", input),
            ("--output", output),
        ];
        plot("heatmap", &files, &["--shape", shape, "--rows", rows])
    };
    let bars = |relevance: &Path, row: &str| {
        plot(
            "bars",
            &[("--relevance", relevance), ("--output", &out)],
            &["--row", row],
        )
    };
    let curves = |curves: &Path| plot("curves", &[("--curves", curves), ("--output", &out)], &[]);
    let check = |args: Vec<String>, needles: &[&str]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails(&dir, &args, needles);
    };
    check(
        heatmap("3x3", "0", &input, &out),
        &["shape", "3x3 has 9 pixels", "6 relevance columns"],
    );
    check(
        heatmap("2by3", "0", &input, &out),
        &["shape", "HEIGHTxWIDTH", "\"2by3\""],
    );
    check(
        heatmap("2x3", "0,2", &input, &out),
        &["rows", "row 2 is out of range", "2 data row(s)"],
    );
    check(
        heatmap("2x3", "0", &input, &path(&dir, "fig.jpg")),
        &["fig.jpg", ".png or .svg"],
    );
    let narrow = path(&dir, "narrow.csv");
    std::fs::write(&narrow, "p,q\n1,2\n").unwrap();
    check(
        heatmap("2x3", "0", &narrow, &out),
        &["narrow.csv", "6 features", "2 columns"],
    );
    let no_output = path(&dir, "no_output.csv");
    std::fs::write(&no_output, "decision_function,R_a\n1,2\n").unwrap();
    check(
        bars(&no_output, "0"),
        &["no_output.csv", "outlierness or logit"],
    );
    let no_relevance = path(&dir, "no_relevance.csv");
    std::fs::write(&no_relevance, "cluster,logit\n1,2\n").unwrap();
    check(
        bars(&no_relevance, "0"),
        &["no_relevance.csv", "R_<feature>"],
    );
    check(bars(&relevance, "5"), &["`row`", "row 5 is out of range"]);
    check(bars(&dir, "0"), &["not a regular file"]);
    let no_step = path(&dir, "curves.csv");
    std::fs::write(&no_step, "method,imputation,mean_output\nneon,mean,1\n").unwrap();
    check(curves(&no_step), &["curves.csv", "missing column \"step\""]);
    check(curves(&path(&dir, "absent.csv")), &["absent.csv"]);
}
