//! The contract itself: its id, boundary and version.

use super::{Change, Changes, RuleId, Severity};
use crate::contract::Contract;

pub(super) fn compare(changes: &mut Changes, old: &Contract, new: &Contract) {
    if old.id != new.id {
        changes.add(
            RuleId::ContractIdChanged,
            "",
            Some(1),
            Some(1),
            format!("the contract id changed from `{}` to `{}`", old.id, new.id),
        );
    }
    let (a, b) = (&old.boundary, &new.boundary);
    let describe = |b: &crate::contract::Boundary| {
        format!("{} -> {} over {}", b.from, b.to, b.transport.name())
    };
    if describe(a) != describe(b) {
        changes.add(
            RuleId::BoundaryChanged,
            "",
            None,
            None,
            format!(
                "the boundary changed from {} to {}",
                describe(a),
                describe(b)
            ),
        );
    }
}

/// Semantic versioning: a breaking change needs a major bump (a minor one below 1.0.0), and
/// versions do not go down.
pub(super) fn versions(list: &mut Vec<Change>, old: &Contract, new: &Contract) {
    let (a, b) = (&old.version, &new.version);
    let mut extra = Changes::default();
    if b < a {
        extra.add(
            RuleId::VersionWentDown,
            "",
            None,
            None,
            format!("the version went down from {a} to {b}"),
        );
    } else if list.iter().any(|c| c.severity == Severity::Breaking) {
        let major_bumped = if a.major == 0 {
            b.major > 0 || b.minor > a.minor
        } else {
            b.major > a.major
        };
        if !major_bumped {
            let needed = if a.major == 0 {
                format!("0.{}.0", a.minor + 1)
            } else {
                format!("{}.0.0", a.major + 1)
            };
            let count = list
                .iter()
                .filter(|c| c.severity == Severity::Breaking)
                .count();
            extra.add(
                RuleId::VersionBumpTooSmall,
                "",
                None,
                None,
                format!("{count} breaking change{} but the version went from {a} to {b}; it needs at least {needed}", if count == 1 { "" } else { "s" }),
            );
        }
    }
    list.splice(0..0, extra.0);
}
