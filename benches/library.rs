//! Time the library in memory (no CSV on the clock): forward pass and explanation, for the
//! side-by-side script `scripts/bench_vs_sklearn.py`.
//!
//! ```sh
//! cargo bench --bench library -- models/ocsvm_breast_cancer.json \
//!     models/ocsvm_breast_cancer.input.csv [repeats]
//! ```
//! Prints one JSON line: rows, best-of-`repeats` seconds for `forward`, `explain` (the
//! published rules, `Method::neon()`; `null` where the model has none, as dense networks)
//! and `explain_default` (`Method::default()`), and `explain_default_over_forward` (the
//! cost of the default explanation in forward passes; issue 17 asks for at most 3). Method
//! names after `repeats` (e.g. `neon-ref@auto neon-path@auto`) are timed too, every round
//! timing forward, default and all of them in turn (interleaved, best round kept; each
//! round starts one slot later, so each runs in every position equally often), under
//! `"methods"`.
//!
//! ```sh
//! cargo bench --bench library -- only forward|neon|default|METHOD MODEL.json INPUT.csv [repeats]
//! ```
//! Times one of the three alone (for `perf record`): one JSON line with its best-of-`repeats`
//! seconds.
//!
//! ```sh
//! cargo bench --bench library -- floor MODEL.json INPUT.csv [repeats]
//! ```
//! Kernel models (one-class SVM, kernel density), all on ONE thread: the same timings plus
//! the arithmetic floor of an explanation, `floor_s` = the minimum matrix products (the
//! cross terms `X V^T`, rows x features x units, and `C [V | V^2]`, rows x units x 2
//! features: three GEMM-equivalents) + one exponential per row x unit pair (the library's
//! vectorized exp), each timed best-of-`repeats` over blocks of 16, 64, 128 and 256 rows
//! into reused buffers (each part at its fastest block size);
//! and the ratios `explain_s / floor_s`, `explain_default_s / floor_s`.
//!
//! `NEURALIZE_BENCH_TARGET=log-odds` (classifiers, Gaussian mixtures) times the log-odds
//! target instead (`Explainer::with_class_target`), forward pass included.

#[path = "../examples/common/mod.rs"]
mod common;

use neuralize::ndarray::{linalg::general_mat_mul, s, Array2, ArrayView2};
use neuralize::{load_model, Explainer, KernelDensity, Method, Model, OneClassSvm};
use std::time::Instant;

/// Rows per block tried by the floor's timings (each part keeps its fastest).
const BLOCK_ROWS: [usize; 4] = [16, 64, 128, 256];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; everything else is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.first().is_some_and(|a| a == "only") {
        return only(&args[1..]);
    }
    let floor = args.first().is_some_and(|a| a == "floor");
    let args = &args[usize::from(floor)..];
    let [model_path, input_path, rest @ ..] = args else {
        // Run without arguments (as by a plain `cargo bench`): nothing to time.
        eprintln!("usage: cargo bench --bench library -- [floor] MODEL.json INPUT.csv [repeats]");
        return Ok(());
    };
    let repeats: usize = rest.first().map_or(Ok(3), |r| r.parse())?;
    let model = load_model(model_path)?;
    let (x, _) = common::read_features(input_path, &model)?;
    let explainer = bench_explainer(&model)?;
    let rounds = if floor { 1 } else { repeats };
    let best = |f: &dyn Fn() -> neuralize::Result<()>| -> neuralize::Result<f64> {
        let mut best = f64::INFINITY;
        for _ in 0..rounds {
            let start = Instant::now();
            f()?;
            best = best.min(start.elapsed().as_secs_f64());
        }
        Ok(best)
    };
    // `explain` is `None` for models without the published NEON rules (dense networks).
    let time_all = || -> neuralize::Result<(f64, Option<f64>, f64)> {
        let forward = best(&|| explainer.forward(x.view(), None).map(|_| ()))?;
        let explain = best(&|| explainer.explain(x.view(), &Method::neon()).map(|_| ())).ok();
        let default = best(&|| explainer.explain(x.view(), &Method::default()).map(|_| ()))?;
        Ok((forward, explain, default))
    };
    if !floor && rest.len() > 1 {
        let methods: Vec<Method> = rest[1..]
            .iter()
            .map(|m| m.parse())
            .collect::<neuralize::Result<_>>()?;
        // Slot 0 is the forward pass, 1 the default, then the named methods. Each round
        // starts one slot later, so every one runs in every position of the round equally
        // often (what ran just before changes the allocator's state and the caches).
        let mut times = vec![f64::INFINITY; methods.len() + 2];
        let slots = times.len();
        for round in 0..repeats {
            for offset in 0..slots {
                let slot = (round + offset) % slots;
                let start = Instant::now();
                match slot {
                    0 => explainer.forward(x.view(), None).map(|_| ())?,
                    1 => explainer
                        .explain(x.view(), &Method::default())
                        .map(|_| ())?,
                    _ => explainer
                        .explain(x.view(), &methods[slot - 2])
                        .map(|_| ())?,
                }
                times[slot] = times[slot].min(start.elapsed().as_secs_f64());
            }
        }
        let named: Vec<String> = methods
            .iter()
            .zip(&times[2..])
            .map(|(m, t)| format!("\"{m}\": {t}"))
            .collect();
        println!(
            "{{\"rows\": {}, \"forward_s\": {}, \"explain_default_s\": {}, \"methods\": {{{}}}, \"threads\": {}}}",
            x.nrows(),
            times[0],
            times[1],
            named.join(", "),
            rayon::current_num_threads()
        );
        return Ok(());
    }
    if !floor {
        let (forward, explain, default) = time_all()?;
        let explain = explain.map_or("null".to_string(), |t| t.to_string());
        println!(
            "{{\"rows\": {}, \"forward_s\": {forward}, \"explain_s\": {explain}, \"explain_default_s\": {default}, \"explain_default_over_forward\": {}, \"threads\": {}}}",
            x.nrows(),
            default / forward,
            rayon::current_num_threads()
        );
        return Ok(());
    }
    let Some(units) = kernel_units(&model) else {
        return Err("floor: a kernel model (one_class_svm or kernel_density) is needed".into());
    };
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    // Interleaved: each round times the library and the floor once; each figure keeps its
    // best round (the machine's noise hits both alike).
    let (mut forward, mut explain, mut default) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    let (mut gemm_s, mut exp_s) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..repeats {
        let (f, e, d) = one.install(time_all)?;
        let (g, x) = one.install(|| floor_timings(x.view(), units.view(), 1));
        let e = e.ok_or("floor: the model has no NEON rules")?;
        (forward, explain, default) = (forward.min(f), explain.min(e), default.min(d));
        (gemm_s, exp_s) = (gemm_s.min(g), exp_s.min(x));
    }
    let floor_s = gemm_s + exp_s;
    println!(
        "{{\"rows\": {}, \"units\": {}, \"floor_s\": {floor_s}, \"floor_gemm_s\": {gemm_s}, \"floor_exp_s\": {exp_s}, \"floor_what\": \"X V^T (rows x d x units) + C [V|V^2] (rows x units x 2d) GEMMs, one exp per row x unit pair; 1 thread, each part at its fastest of 16/64/128/256-row blocks\", \"forward_s\": {forward}, \"explain_s\": {explain}, \"explain_default_s\": {default}, \"explain_over_floor\": {}, \"explain_default_over_floor\": {}, \"threads\": 1}}",
        x.nrows(),
        units.nrows(),
        explain / floor_s,
        default / floor_s,
    );
    Ok(())
}

/// The model's explainer, for the target `NEURALIZE_BENCH_TARGET` names (`logit`,
/// `log-odds`) when set.
fn bench_explainer(model: &Model) -> neuralize::Result<Explainer> {
    let explainer = Explainer::new(model);
    match std::env::var("NEURALIZE_BENCH_TARGET") {
        Ok(target) => explainer.with_class_target(target.parse()?),
        Err(_) => Ok(explainer),
    }
}

/// `only forward|neon|default|METHOD MODEL INPUT [repeats]`: time one pass alone (METHOD as
/// `--method` takes it, e.g. `neon-focus@1`).
fn only(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let [what, model_path, input_path, rest @ ..] = args else {
        return Err(
            "usage: only forward|neon|default|METHOD MODEL.json INPUT.csv [repeats]".into(),
        );
    };
    let repeats: usize = rest.first().map_or(Ok(3), |r| r.parse())?;
    let model = load_model(model_path)?;
    let (x, _) = common::read_features(input_path, &model)?;
    let explainer = bench_explainer(&model)?;
    let method = match what.as_str() {
        "forward" | "default" => Method::default(),
        "neon" => Method::neon(),
        other => other.parse()?,
    };
    let run = || -> neuralize::Result<()> {
        match what.as_str() {
            "forward" => explainer.forward(x.view(), None).map(|_| ()),
            _ => explainer.explain(x.view(), &method).map(|_| ()),
        }
    };
    let mut best = f64::INFINITY;
    for _ in 0..repeats {
        let start = Instant::now();
        run()?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{{\"rows\": {}, \"{what}_s\": {best}, \"threads\": {}}}",
        x.nrows(),
        rayon::current_num_threads()
    );
    Ok(())
}

/// The distance units (support vectors or kernel centers) of a kernel model.
fn kernel_units(model: &Model) -> Option<Array2<f64>> {
    if let Some(svm) = model.estimator::<OneClassSvm>() {
        return Some(svm.support_vectors().to_owned());
    }
    model
        .estimator::<KernelDensity>()
        .map(|kde| kde.points().to_owned())
}

/// Best-of-`repeats` seconds of the floor's matrix products and of its exponentials over
/// the rows of `x` against `units`, in blocks of each of [`BLOCK_ROWS`] rows into reused
/// buffers; each part keeps its fastest block size.
fn floor_timings(x: ArrayView2<f64>, units: ArrayView2<f64>, repeats: usize) -> (f64, f64) {
    BLOCK_ROWS
        .iter()
        .map(|&rows| floor_timings_in(x, units, repeats, rows))
        .fold((f64::INFINITY, f64::INFINITY), |(g, e), (g2, e2)| {
            (g.min(g2), e.min(e2))
        })
}

/// [`floor_timings`] in blocks of `block` rows.
fn floor_timings_in(
    x: ArrayView2<f64>,
    units: ArrayView2<f64>,
    repeats: usize,
    block: usize,
) -> (f64, f64) {
    let (m, d) = units.dim();
    let both = neuralize::ndarray::concatenate(
        neuralize::ndarray::Axis(1),
        &[units, units.mapv(|v| v * v).view()],
    )
    .expect("same rows");
    let mut cross = Array2::<f64>::zeros((block, m));
    let mut sums = Array2::<f64>::zeros((block, 2 * d));
    let (mut gemm, mut exp) = (f64::INFINITY, f64::INFINITY);
    let mut checksum = 0.0;
    for _ in 0..repeats {
        let (mut g, mut e) = (0.0, 0.0);
        for start in (0..x.nrows()).step_by(block) {
            let rows = x.slice(s![start..(start + block).min(x.nrows()), ..]);
            let n = rows.nrows();
            let mut c = cross.slice_mut(s![..n, ..]);
            let t = Instant::now();
            general_mat_mul(-2.0, &rows, &units.t(), 0.0, &mut c);
            g += t.elapsed().as_secs_f64();
            let t = Instant::now();
            for mut row in c.outer_iter_mut() {
                let row = row.as_slice_mut().expect("standard layout");
                checksum += neuralize::bench_internals::exp_sum_inplace(row, 0.0);
            }
            e += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let mut out = sums.slice_mut(s![..n, ..]);
            general_mat_mul(1.0, &c, &both, 0.0, &mut out);
            g += t.elapsed().as_secs_f64();
        }
        gemm = gemm.min(g);
        exp = exp.min(e);
    }
    std::hint::black_box(checksum);
    (gemm, exp)
}
