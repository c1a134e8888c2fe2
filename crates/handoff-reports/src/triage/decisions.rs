//! The decisions file, `triage.yaml`: what the weekly review decided per pattern (owner,
//! decision, status, date), shown beside the numbers in the next report, so the review starts
//! from last week's commitments.
//!
//! ```yaml
//! decisions:
//!   - error_code: SKU_NOT_FOUND
//!     owner: order-integration@retailer.example
//!     decision: upper-case SKUs in the storefront connector
//!     status: in progress
//!     date: 2026-11-16
//!   - error_code: NO_DISPOSITION_RULE
//!     signature: "conforms to its contract"     # optional: one pattern of the code
//!     decision: add a disposition rule for reason 05
//!     status: open
//! ```

use handoff_core::diagnostic::{Code, Diagnostic, did_you_mean};
use handoff_core::yaml;
use std::path::Path;

const TOP_KEYS: &[&str] = &["decisions"];
const DECISION_KEYS: &[&str] = &[
    "error_code",
    "signature",
    "owner",
    "decision",
    "status",
    "date",
];
/// The statuses a decision can have.
pub const STATUSES: &[&str] = &["open", "in progress", "done", "won't fix"];

/// One decision of the review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub error_code: String,
    /// One pattern of the error code (its signature as reports show it), or all of them.
    pub signature: Option<String>,
    pub owner: Option<String>,
    pub decision: String,
    pub status: String,
    pub date: Option<String>,
}

impl Decision {
    /// Whether this decision is about `signature` of `error_code`.
    pub fn covers(&self, error_code: &str, signature: &str) -> bool {
        self.error_code == error_code && self.signature.as_deref().is_none_or(|s| s == signature)
    }
}

/// Read and check a decisions file; problems come back located, with a did-you-mean.
pub fn parse(path: &Path, text: &str) -> Result<Vec<Decision>, Vec<Diagnostic>> {
    let root = yaml::parse_located(path, text)?;
    let mut doc = yaml::Reader::new(path);
    let mut out = Vec::new();
    if let Some(top) = doc.mapping(&root, "triage.yaml", &[TOP_KEYS]) {
        match top.get("decisions").map(|(_, v)| v) {
            Some(list) => match list.as_seq() {
                Some(items) => {
                    for item in items {
                        let Some(entries) = doc.mapping(item, "a decision", &[DECISION_KEYS])
                        else {
                            continue;
                        };
                        let text = |doc: &mut yaml::Reader, key: &str| {
                            entries.get(key).and_then(|(k, v)| doc.text(k, v))
                        };
                        let error_code = doc
                            .required_key(entries, item.span, "error_code", "the decision")
                            .and_then(|(k, v)| doc.text(k, v));
                        let decision = doc
                            .required_key(entries, item.span, "decision", "the decision")
                            .and_then(|(k, v)| doc.text(k, v));
                        let status = match entries.get("status") {
                            None => Some("open".to_string()),
                            Some((k, v)) => doc.text(k, v).and_then(|s| {
                                if STATUSES.contains(&s.as_str()) {
                                    Some(s)
                                } else {
                                    let help = did_you_mean(&s, STATUSES.iter().copied())
                                        .map(|c| format!("did you mean `{c}`?"))
                                        .unwrap_or_else(|| {
                                            format!("one of: {}", STATUSES.join(", "))
                                        });
                                    doc.report(
                                        Code::InvalidValue,
                                        v.span,
                                        format!("unknown status `{s}`"),
                                    )
                                    .help = Some(help);
                                    None
                                }
                            }),
                        };
                        let signature = text(&mut doc, "signature");
                        let owner = text(&mut doc, "owner");
                        let date = text(&mut doc, "date");
                        if let (Some(error_code), Some(decision), Some(status)) =
                            (error_code, decision, status)
                        {
                            out.push(Decision {
                                error_code,
                                signature,
                                owner,
                                decision,
                                status,
                                date,
                            });
                        }
                    }
                }
                None => {
                    doc.report(
                        Code::WrongValueType,
                        list.span,
                        "`decisions` must be a list",
                    );
                }
            },
            None => {
                doc.report(
                    Code::MissingKey,
                    root.span,
                    "triage.yaml has no `decisions`",
                );
            }
        }
    }
    if doc.diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(doc.diagnostics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_are_read_and_mistakes_located() {
        let text = "decisions:\n  - error_code: SKU\n    decision: fix the mapping\n    status: in progress\n    owner: ops\n  - error_code: NO_RULE\n    signature: conforms to its contract\n    decision: add a rule\n";
        let decisions = parse(Path::new("triage.yaml"), text).unwrap();
        assert_eq!(decisions.len(), 2);
        assert_eq!(decisions[1].status, "open", "the default status");
        assert!(decisions[0].covers("SKU", "anything"));
        assert!(!decisions[1].covers("NO_RULE", "orders: /x wrong_type"));
        let errors = parse(
            Path::new("triage.yaml"),
            "decisions:\n  - error_code: SKU\n    decison: x\n    status: doen\n",
        )
        .unwrap_err();
        let messages: Vec<String> = errors.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            messages,
            [
                "triage.yaml:3:5: error[unknown-key]: unknown key `decison` in a decision\n  = help: did you mean `decision`?",
                "triage.yaml:2:5: error[missing-key]: the decision has no `decision`",
                "triage.yaml:4:13: error[invalid-value]: unknown status `doen`\n  = help: did you mean `done`?",
            ]
        );
    }
}
