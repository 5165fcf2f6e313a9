//! A classifier's class labels, and the index of a label (the CLI's `--class`, the
//! Python package's `class_`).

use super::Model;
use crate::error::{Error, Result};

impl Model {
    /// The class labels of a classifier (dense networks with `classes`, SVCs), in the order
    /// of the class indices that [`crate::Method::with_class`] takes; `None` for other
    /// families.
    pub fn classes(&self) -> Option<&[String]> {
        self.family().class_labels()
    }

    /// The index of the class labelled `label`, for [`crate::Method::with_class`].
    ///
    /// ```
    /// let model = neuralize::load_model("models/mlp_iris.json").unwrap();
    /// let first = &model.classes().unwrap()[0];
    /// assert_eq!(model.class_index(first).unwrap(), 0);
    /// assert!(model.class_index("no such class").is_err());
    /// ```
    pub fn class_index(&self, label: &str) -> Result<usize> {
        let Some(classes) = self.classes() else {
            return Err(Error::parameter(
                "class",
                format!("{} models have no classes (classifiers do)", self.kind()),
            ));
        };
        classes.iter().position(|c| c == label).ok_or_else(|| {
            Error::parameter(
                "class",
                format!("unknown class {label:?}; the model's classes are {classes:?}"),
            )
        })
    }
}
