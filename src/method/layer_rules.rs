//! Per-layer overrides of a dense network's rule set: `0=zb,1=gamma=0.25`.

use super::LinearRule;
use crate::error::{Error, Result};
use std::fmt;
use std::str::FromStr;

/// At most this many layers can be overridden at once (a fixed capacity keeps [`Method`]
/// `Copy`).
///
/// [`Method`]: super::Method
pub const MAX_LAYER_RULES: usize = 16;

/// Linear rules for chosen layers of a dense network (numbered from the input, 0, to the
/// explained unit), replacing the rule set's rule on those layers.
///
/// ```
/// use neuralize::{LayerRules, LinearRule};
/// let rules: LayerRules = "0=zb,2=alpha-beta=2,1".parse()?;
/// assert_eq!(rules.get(0), Some(LinearRule::ZBox));
/// assert_eq!(rules.get(1), None);
/// assert_eq!(rules.to_string(), "0=zb,2=alpha-beta=2,1");
/// # Ok::<(), neuralize::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LayerRules {
    entries: [(usize, LinearRule); MAX_LAYER_RULES],
    len: usize,
}

impl LayerRules {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) the rule of `layer`; at most [`MAX_LAYER_RULES`] layers.
    pub fn with(mut self, layer: usize, rule: LinearRule) -> Result<Self> {
        let rule = rule
            .validated()
            .map_err(|e| Error::parameter("layer-rule", format!("layer {layer}: {e}")))?;
        if let Some(entry) = self.entries[..self.len].iter_mut().find(|e| e.0 == layer) {
            entry.1 = rule;
            return Ok(self);
        }
        if self.len == MAX_LAYER_RULES {
            return Err(Error::parameter(
                "layer-rule",
                format!("at most {MAX_LAYER_RULES} layers can be overridden"),
            ));
        }
        self.entries[self.len] = (layer, rule);
        self.len += 1;
        Ok(self)
    }

    /// The override of `layer`, if any.
    pub fn get(&self, layer: usize) -> Option<LinearRule> {
        self.iter().find(|e| e.0 == layer).map(|e| e.1)
    }

    /// The overrides `(layer, rule)`, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (usize, LinearRule)> + '_ {
        self.entries[..self.len].iter().copied()
    }

    /// Whether there are no overrides.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The highest overridden layer.
    pub fn max_layer(&self) -> Option<usize> {
        self.iter().map(|e| e.0).max()
    }
}

impl FromStr for LayerRules {
    type Err = Error;

    /// `LAYER=RULE[,LAYER=RULE...]`, RULE as `--linear-rule` (so `alpha-beta=A,B` keeps its
    /// comma: a new entry starts only at `DIGITS=`).
    fn from_str(s: &str) -> Result<Self> {
        let mut parts: Vec<String> = Vec::new();
        for piece in s.split(',') {
            let starts_entry = piece
                .split_once('=')
                .is_some_and(|(l, _)| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()));
            match parts.last_mut() {
                Some(last) if !starts_entry => {
                    last.push(',');
                    last.push_str(piece);
                }
                _ => parts.push(piece.to_string()),
            }
        }
        let mut rules = LayerRules::new();
        for part in parts {
            let Some((layer, rule)) = part.split_once('=') else {
                return Err(Error::parameter(
                    "layer-rule",
                    format!("expected LAYER=RULE (e.g. 0=zb,1=gamma=0.25), got {part:?}"),
                ));
            };
            let layer: usize = layer.trim().parse().map_err(|_| {
                Error::parameter(
                    "layer-rule",
                    format!("the layer of {part:?} is not a number: expected LAYER=RULE"),
                )
            })?;
            let rule: LinearRule = rule
                .trim()
                .parse()
                .map_err(|e| Error::parameter("layer-rule", format!("layer {layer}: {e}")))?;
            rules = rules.with(layer, rule)?;
        }
        Ok(rules)
    }
}

impl fmt::Display for LayerRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (layer, rule)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{layer}={rule}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_with_and_without_commas_and_round_trips() {
        let rules: LayerRules = "0=zb,1=gamma=0.25,3=alpha-beta=2,1,2=lrp0".parse().unwrap();
        assert_eq!(rules.get(0), Some(LinearRule::ZBox));
        assert_eq!(rules.get(1), Some(LinearRule::Gamma { gamma: 0.25 }));
        assert_eq!(
            rules.get(3),
            Some(LinearRule::AlphaBeta {
                alpha: 2.0,
                beta: 1.0
            })
        );
        assert_eq!(rules.get(2), Some(LinearRule::Lrp0));
        assert_eq!(rules.max_layer(), Some(3));
        let text = rules.to_string();
        assert_eq!(text.parse::<LayerRules>().unwrap(), rules);
        let again: LayerRules = "1=flat,1=w2".parse().unwrap();
        assert_eq!(again.get(1), Some(LinearRule::WSquare));
        assert_eq!(again.iter().count(), 1);
    }

    #[test]
    fn bad_specs_name_the_option() {
        for (bad, needle) in [
            ("zb", "LAYER=RULE"),
            ("x=zb", "not a number"),
            ("0=nope", "layer 0"),
            ("0=gamma=-1", "layer-rule"),
            ("", "LAYER=RULE"),
        ] {
            let err = bad.parse::<LayerRules>().unwrap_err().to_string();
            assert!(err.contains("layer-rule"), "{bad}: {err}");
            assert!(err.contains(needle), "{bad}: {err}");
        }
        let many: Vec<String> = (0..=MAX_LAYER_RULES).map(|l| format!("{l}=flat")).collect();
        assert!(many.join(",").parse::<LayerRules>().is_err());
    }
}
