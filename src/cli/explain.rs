//! `neuralize explain`: scores and relevances for every row of a CSV.

use super::settings::SettingsArgs;
use super::stream::{column_means, load, read_table, stream, with_threads, ChunkOutput, TableArgs};
use crate::io::table_writer::output_header;
use crate::{ClassTarget, Error, Explainer, LinearRule, Method, Model, Result, RuleSet, Technique};

#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub table: TableArgs,
    /// k-means only: explain the logit of this cluster (0-based) instead of the assigned one.
    #[arg(long)]
    pub cluster: Option<usize>,
    /// Classifiers only (dense networks, SVCs): explain this class (its label, as in the model
    /// file's `classes`) instead of the predicted one.
    #[arg(long, conflicts_with = "cluster")]
    pub class: Option<String>,
    /// Classifiers only: what is explained for the class, `logit` (default) or `log-odds`
    /// (`log p / (1 - p)`, soft-min over the logit differences to the other classes).
    /// Gaussian mixtures: `log-odds` explains the posterior log-odds of the assigned (or
    /// `--cluster`) component instead of the outlierness (columns `cluster,logit`).
    #[arg(long)]
    pub target: Option<String>,
    /// LRP rule set: `neon` (the published NEON rules), `neon-ref` (root points toward the
    /// reference), `hybrid` (Bley et al. 2025; kernel models and SVCs), `neon-floor` (the
    /// bias floor spread flat; kernel models), `neon-path` (rooted at the reference,
    /// pooled along the path to the row; kernel models, k-means, SVCs), `neon-flip` (neon-path
    /// mixed with a path along the flipping order; rbf kernel models), `neon-focus` (the
    /// same mix chosen per row; rbf kernel models), `neon-lean` (neon-path's top 3 kept,
    /// the rest re-shared per row by the reference's pooling; rbf kernel models),
    /// `neon-pick` (neon-lean whose top 3 places go to the group whose joint removal lowers
    /// the outlierness more; the rbf default) or
    /// `neon-spread` (neon-path mixed per row with the weights nearer the row; the k-means
    /// default); for
    /// dense networks `neon-drop` (their default: neon-ref averaged with a path on which its
    /// top 3 features carry their joint drop), `neon-ref` (every layer rooted at the
    /// reference), `neon-flip` (neon-ref averaged with a path moving its top 3 features
    /// first; opt-in),
    /// `tutorial`, `gamma-zb`
    /// (conserving), `epsilon-plus-flat`, or one linear rule on every layer (`lrp0`,
    /// `epsilon=E`, `gamma=G`, `alpha-beta=A,B`, `w2`, `flat`); for a Gaussian mixture's
    /// `--target log-odds` `occlusion-share` (its default: each feature's exact drop when it
    /// alone is at the reference, the log-odds shared in proportion) or `neon`. Without it, the default
    /// method runs the model file's stored method (`neuralize tune`), else the family's
    /// default (`neuralize info` shows which and why): `neon-pick@1` for rbf kernel models
    /// (one-class SVMs, kernel densities), `neon-path@1` for laplacian ones,
    /// `neon-spread@auto` for k-means, `neon-path@auto` for SVCs, `neon-floor@auto` for Gaussian
    /// mixtures (`occlusion-share` for their log-odds),
    /// `neon-ref@auto` for kNN detectors, `neon-drop@auto` for dense networks.
    #[arg(long)]
    pub rule: Option<String>,
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(flatten)]
    pub method: MethodArgs,
}

/// The help of `--method`, from the table of methods.
fn method_help() -> String {
    format!(
        "Explainer: {}. `default` is the model file's tuned method (`neuralize tune`), else the \
         most faithful conserving NEON variant measured for the family",
        Method::names()
    )
}

/// Options of the explainers other than NEON.
#[derive(Debug, Clone, clap::Args)]
pub struct MethodArgs {
    #[arg(long, default_value = "default", help = method_help())]
    pub method: String,
    /// Reference rows (CSV, same columns as the input): their column means replace the
    /// model file's reference x̃.
    #[arg(long, value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub reference: Option<String>,
}

impl ExplainArgs {
    /// The method the options name: `--method`, refined by `--rule`, the settings and
    /// `--cluster` or `--class` (a label of `classes`).
    fn method(&self, model: &Model) -> Result<Method> {
        let named: Method = self.method.method.parse()?;
        // `--rule R` with a linear rule R: the `uniform` rule set with R on every layer.
        let uniform = match &self.rule {
            Some(rule) if rule.parse::<RuleSet>().is_err() => rule.parse::<LinearRule>().ok(),
            _ => None,
        };
        let method = match (&self.rule, named.technique()) {
            (None, _) => named,
            (Some(rule), Technique::Default | Technique::Neon(_)) => {
                let rule_set: RuleSet = match uniform {
                    Some(_) => RuleSet::Uniform,
                    None => rule.parse()?,
                };
                match named.beta() {
                    Some(beta) => Method::rule_set(rule_set).with_beta(beta),
                    None => Method::rule_set(rule_set),
                }
            }
            (Some(_), _) => {
                return Err(Error::parameter(
                    "rule",
                    format!("applies to the NEON methods, not to --method {named}"),
                ))
            }
        };
        let mut method = self.settings.apply(method)?;
        if self.settings.layer_rule.is_some() && !method.technique().has_beta() {
            return Err(Error::parameter(
                "layer-rule",
                format!(
                    "applies to the NEON rule sets of dense networks, not to --method {method}"
                ),
            ));
        }
        if let Some(rule) = uniform {
            method = method.with_linear_rule(rule);
        }
        if let Some(label) = &self.class {
            method = method.with_class(model.class_index(label)?);
        }
        Ok(match self.cluster {
            Some(c) => method.with_cluster(c),
            None => method,
        })
    }
}

/// The explainer of `--target` (`logit` or `log-odds`; unchanged when not given), shared by
/// `explain` and `evaluate`.
pub(super) fn with_target(explainer: Explainer, target: Option<&str>) -> Result<Explainer> {
    match target {
        Some(target) => explainer.with_class_target(target.parse::<ClassTarget>()?),
        None => Ok(explainer),
    }
}

pub fn run(args: ExplainArgs) -> Result<()> {
    let reference = args.method.reference.as_deref();
    let others: Vec<(&str, &str)> = reference.map(|r| ("--reference", r)).into_iter().collect();
    args.table.refuse_overwriting_inputs(&others)?;
    let (model, explainer) = load(&args.table.source.model)?;
    let explainer = match reference {
        Some(path) => {
            let rows = read_table(path, args.table.source.format(), &model)?;
            explainer.with_reference(column_means(rows.view())?)?
        }
        None => explainer,
    };
    let explainer = with_target(explainer, args.target.as_deref())?;
    let method = args.method(&model)?;
    // Every check of the method against the model, before any row is read.
    explainer.resolve(&method)?;
    let (prediction_name, output_name) = (explainer.prediction_name(), explainer.output_name());
    let mut first_row = 0;
    with_threads(args.table.source.threads, || {
        stream(
            &args.table,
            &model,
            |names| output_header(&[], prediction_name, output_name, Some(names)),
            |chunk| {
                let e = explainer.explain_from(chunk.features.view(), &method, first_row)?;
                first_row += chunk.n_rows();
                Ok(ChunkOutput {
                    prediction: e.prediction,
                    output: e.output,
                    relevance: Some(e.relevance),
                })
            },
        )
    })
}
