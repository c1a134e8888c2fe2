//! X12 captures drafted as contracts: which segments repeat where they stand, so that the
//! draft's `x12:` section renders them as arrays in every transaction set, not only in those
//! that had two.
//!
//! A segment that occurs twice where the layout does not say it repeats is rendered as an
//! array anyway (no data is lost), and once as an object: a draft made from such renderings
//! would see both. So the sets are first rendered in the loops the user gave, the segments
//! met more than once at a level (the root, or an occurrence of a loop) are collected, and the
//! sets are profiled in the layout that lists them.

use crate::contract::layout::{LoopDef, X12Layout};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What renderings showed of the layout: segments met more than once at each level, and the
/// loops that occurred.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repeats {
    /// Loop path (names from the root; empty for the root) -> segments rendered as an array.
    repeated: BTreeMap<Vec<String>, BTreeSet<String>>,
    /// Loop paths that occurred at least once.
    occurred: BTreeSet<Vec<String>>,
}

impl Repeats {
    /// Take in one transaction set's rendering in `layout`.
    pub fn observe(&mut self, rendering: &Value, layout: &X12Layout) {
        let Value::Object(root) = rendering else {
            return;
        };
        self.level(root, &layout.loops, &mut Vec::new());
    }

    fn level(
        &mut self,
        members: &serde_json::Map<String, Value>,
        loops: &[LoopDef],
        path: &mut Vec<String>,
    ) {
        for (name, value) in members {
            match (loops.iter().find(|l| l.name == *name), value) {
                (Some(def), Value::Array(occurrences)) => {
                    path.push(name.clone());
                    self.occurred.insert(path.clone());
                    for occurrence in occurrences {
                        if let Value::Object(inner) = occurrence {
                            self.level(inner, &def.loops, path);
                        }
                    }
                    path.pop();
                }
                (None, Value::Array(_)) => {
                    self.repeated
                        .entry(path.clone())
                        .or_default()
                        .insert(name.clone());
                }
                _ => {}
            }
        }
    }

    /// Whether `given` already says every repeat seen (so renderings in it need no change).
    pub fn within(&self, given: &X12Layout) -> bool {
        self.repeated.iter().all(|(path, segments)| {
            let mut repeat = &given.repeat;
            let mut loops = &given.loops;
            for name in path {
                match loops.iter().find(|l| l.name == *name) {
                    Some(def) => {
                        repeat = &def.repeat;
                        loops = &def.loops;
                    }
                    None => return false,
                }
            }
            segments.iter().all(|s| repeat.contains(s))
        })
    }

    /// `given` with each level's repeated segments listed (sorted, after those it had), and
    /// only the loops that occurred (a loop the draft has no field for would not load).
    pub fn layout(&self, given: &X12Layout) -> X12Layout {
        let mut path = Vec::new();
        X12Layout {
            repeat: self.merged(&given.repeat, &path),
            loops: self.loops(&given.loops, &mut path),
        }
    }

    fn loops(&self, loops: &[LoopDef], path: &mut Vec<String>) -> Vec<LoopDef> {
        let mut out = Vec::new();
        for def in loops {
            path.push(def.name.clone());
            if self.occurred.contains(path) {
                out.push(LoopDef {
                    name: def.name.clone(),
                    segments: def.segments.clone(),
                    repeat: self.merged(&def.repeat, path),
                    loops: self.loops(&def.loops, path),
                });
            }
            path.pop();
        }
        out
    }

    fn merged(&self, had: &[String], path: &[String]) -> Vec<String> {
        let mut out = had.to_vec();
        if let Some(seen) = self.repeated.get(path) {
            out.extend(seen.iter().filter(|s| !had.contains(s)).cloned());
        }
        out
    }

    /// Take in what renderings of later sets showed.
    pub fn merge(&mut self, later: Repeats) {
        for (path, segments) in later.repeated {
            self.repeated.entry(path).or_default().extend(segments);
        }
        self.occurred.extend(later.occurred);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// DTM said to repeat; an N1 loop and a PO1 loop that say nothing of repeats.
    fn loops() -> X12Layout {
        let looped = |segments: &[&str]| LoopDef {
            name: format!("{}_loop", segments[0]),
            segments: segments.iter().map(|s| s.to_string()).collect(),
            ..LoopDef::default()
        };
        X12Layout {
            repeat: vec!["DTM".into()],
            loops: vec![looped(&["N1", "N3", "N4"]), looped(&["PO1", "PID"])],
        }
    }

    #[test]
    fn segments_met_twice_are_listed_where_they_stand_and_unseen_loops_are_left_out() {
        let mut r = Repeats::default();
        let given = loops();
        r.observe(
            &json!({"BEG": {}, "REF": [{}, {}], "DTM": [{}],
                    "PO1_loop": [{"PO1": {}, "PID": [{}, {}]}, {"PO1": {}}]}),
            &given,
        );
        r.observe(&json!({"BEG": {}, "REF": {}, "MSG": [{}, {}]}), &given);
        assert!(!r.within(&given));
        let layout = r.layout(&given);
        assert_eq!(layout.repeat, ["DTM", "MSG", "REF"]);
        assert_eq!(layout.loops.len(), 1, "{layout:?}");
        assert_eq!(layout.loops[0].name, "PO1_loop");
        assert_eq!(layout.loops[0].repeat, ["PID"]);
        // The layout it gives says every repeat: renderings in it need no third look.
        let mut again = Repeats::default();
        again.observe(
            &json!({"REF": [{}, {}], "PO1_loop": [{"PID": [{}, {}]}]}),
            &layout,
        );
        assert!(again.within(&layout));
    }
}
