//! Which model a trained model is: the six kinds, their codes (CLI, JSON) and labels.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ModelKind {
    RandomForest,
    GradientBoosting,
    Bagging,
    Knn,
    DecisionTree,
    Svc,
}

impl ModelKind {
    pub const ALL: [ModelKind; 6] = [
        ModelKind::RandomForest,
        ModelKind::GradientBoosting,
        ModelKind::Bagging,
        ModelKind::Knn,
        ModelKind::DecisionTree,
        ModelKind::Svc,
    ];

    /// Short name used by the CLI and in JSON.
    pub fn code(self) -> &'static str {
        match self {
            ModelKind::RandomForest => "rf",
            ModelKind::GradientBoosting => "gbt",
            ModelKind::Bagging => "bagging",
            ModelKind::Knn => "knn",
            ModelKind::DecisionTree => "tree",
            ModelKind::Svc => "svc",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ModelKind::RandomForest => "Random forest",
            ModelKind::GradientBoosting => "Gradient-boosted trees",
            ModelKind::Bagging => "Bagging",
            ModelKind::Knn => "k-nearest neighbours",
            ModelKind::DecisionTree => "Decision tree",
            ModelKind::Svc => "SVC (RBF, random features)",
        }
    }

    pub fn from_code(s: &str) -> Option<ModelKind> {
        ModelKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Distance and kernel models need standard scaling; trees do not.
    pub fn needs_scaling(self) -> bool {
        matches!(self, ModelKind::Knn | ModelKind::Svc)
    }
}
