//! A transaction set as the JSON tree contracts address with ordinary pointers: segments by id,
//! elements by reference designator (`/BEG/BEG03`), loops as arrays of occurrences
//! (`/N1_loop/0/N4/N403`), composites as objects (`/SV1/SV101/SV101-02`), repeated elements
//! and repeated segments as arrays. The envelope headers (ISA, GS) and the set's own ST and SE
//! are members of the root, so rules can compare them.
//!
//! The loop structure comes from the contract's `x12:` section. A segment belongs to the
//! innermost open loop that lists it; a segment no open loop lists closes loops until one
//! does, and a segment no loop lists at all stays at the root.

use super::tokenize::{Delimiters, Tokenizer};
use crate::contract::layout::{LoopDef, X12Layout};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// Where a piece of the rendering came from: the chunk (envelope segment or transaction set
/// text), the byte range within it, and the segment as EDI people name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub chunk: usize,
    pub start: usize,
    pub len: usize,
    pub segment_position: u64,
    /// Shared by every element of the segment: a failing set of 100,000 segments keeps one
    /// entry per element, so each carries as little as it can.
    pub segment_id: std::sync::Arc<str>,
    pub element: Option<Box<str>>,
}

/// Pointer into the rendering -> where it came from; filled only for payloads that failed,
/// and then (with [`SourceMap::only`]) only for the pointers findings need: a failing set of
/// 100,000 segments would otherwise hold an entry per element (and moving a segment that
/// becomes an array would scan them all).
#[derive(Debug, Default)]
pub struct SourceMap {
    entries: HashMap<String, Source>,
    wanted: Option<HashSet<String>>,
}

impl SourceMap {
    /// Every pointer's source.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Only the sources of `pointers`, of their ancestors (a finding at an absent element is
    /// placed at its segment), and of the names they had before a segment met a second time
    /// became an array (`/REF/REF01` before it is `/REF/0/REF01`).
    pub fn only<'p>(pointers: impl IntoIterator<Item = &'p str>) -> SourceMap {
        let mut wanted = HashSet::new();
        for p in pointers {
            let mut at = p;
            loop {
                wanted.insert(at.to_string());
                let steps: Vec<&str> = at.split('/').collect();
                for (i, step) in steps.iter().enumerate().skip(1) {
                    if *step == "0" {
                        let mut without = steps.clone();
                        without.remove(i);
                        wanted.insert(without.join("/"));
                    }
                }
                match at.rsplit_once('/') {
                    Some((parent, _)) if !parent.is_empty() => at = parent,
                    _ => break,
                }
            }
        }
        SourceMap {
            entries: HashMap::new(),
            wanted: Some(wanted),
        }
    }

    fn insert(&mut self, pointer: String, source: Source) {
        if self.wanted.as_ref().is_none_or(|w| w.contains(&pointer)) {
            self.entries.insert(pointer, source);
        }
    }

    pub fn get(&self, pointer: &str) -> Option<&Source> {
        self.entries.get(pointer)
    }

    pub fn contains_key(&self, pointer: &str) -> bool {
        self.entries.contains_key(pointer)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl std::ops::Index<&str> for SourceMap {
    type Output = Source;

    fn index(&self, pointer: &str) -> &Source {
        &self.entries[pointer]
    }
}

/// Bytes of a transaction set (or an envelope segment) and the ordinal of the segment before
/// its first one.
pub struct Chunk<'a> {
    pub bytes: &'a [u8],
    pub position_before: u64,
}

/// One open container: the root, or an occurrence of a loop.
struct Level<'l> {
    def: Option<&'l LoopDef>,
    map: Map<String, Value>,
    pointer: String,
}

/// Render chunks (ISA, GS, then ST..SE) into one JSON object.
pub fn render(
    chunks: &[Chunk<'_>],
    delimiters: Delimiters,
    layout: &X12Layout,
    mut sources: Option<&mut SourceMap>,
) -> Value {
    let mut stack: Vec<Level<'_>> = vec![Level {
        def: None,
        map: Map::new(),
        pointer: String::new(),
    }];
    // Pointers are built only when sources are wanted: the fast path renders and checks.
    let track = sources.is_some();
    for (c, chunk) in chunks.iter().enumerate() {
        for segment in Tokenizer::resume(chunk.bytes, delimiters, chunk.position_before) {
            let Ok(segment) = segment else { break };
            let id = segment.id_str();
            let level = place(&mut stack, layout, &id, track);
            let repeat = match stack[level].def {
                Some(def) => def.repeat.contains(&id),
                None => layout.repeat.contains(&id),
            };
            let at = &mut stack[level];
            let pointer = add(
                &mut at.map,
                &at.pointer,
                &id,
                repeat,
                sources.as_deref_mut(),
            );
            let object = elements(
                &segment,
                &id,
                chunk.bytes,
                c,
                &pointer,
                sources.as_deref_mut(),
            );
            if let Some(map) = sources.as_deref_mut() {
                map.insert(
                    pointer.clone(),
                    Source {
                        chunk: c,
                        start: segment.offset,
                        len: segment.id.len(),
                        segment_position: segment.position,
                        segment_id: id.as_str().into(),
                        element: None,
                    },
                );
            }
            put(&mut stack[level].map, &id, object, repeat);
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    Value::Object(stack.pop().expect("the root").map)
}

/// Find the level segment `id` goes to, opening and closing loops on the way.
fn place<'l>(stack: &mut Vec<Level<'l>>, layout: &'l X12Layout, id: &str, track: bool) -> usize {
    if matches!(id, "ISA" | "GS" | "ST" | "SE" | "GE" | "IEA") {
        while stack.len() > 1 {
            close(stack);
        }
        return 0;
    }
    for k in (0..stack.len()).rev() {
        let def = stack[k].def;
        if let Some(def) = def
            && def.trigger() == id
        {
            // A new occurrence of this loop: close it, open another in its parent.
            while stack.len() > k {
                close(stack);
            }
            open(stack, def, track);
            return stack.len() - 1;
        }
        let children = def.map_or(&layout.loops, |d| &d.loops);
        if let Some(child) = children.iter().find(|l| l.trigger() == id) {
            while stack.len() > k + 1 {
                close(stack);
            }
            open(stack, child, track);
            return stack.len() - 1;
        }
        if k == 0 || def.is_some_and(|d| d.segments.iter().skip(1).any(|s| s == id)) {
            while stack.len() > k + 1 {
                close(stack);
            }
            return k;
        }
    }
    0
}

fn open<'l>(stack: &mut Vec<Level<'l>>, def: &'l LoopDef, track: bool) {
    let parent = stack.last().expect("the root is never closed");
    let pointer = if track {
        let index = parent
            .map
            .get(&def.name)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        format!("{}/{}/{index}", parent.pointer, def.name)
    } else {
        String::new()
    };
    stack.push(Level {
        def: Some(def),
        map: Map::new(),
        pointer,
    });
}

fn close(stack: &mut Vec<Level<'_>>) {
    let Some(level) = stack.pop() else { return };
    let Some(def) = level.def else { return };
    let parent = stack.last_mut().expect("loops sit in the root");
    let entry = parent
        .map
        .entry(def.name.clone())
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = entry {
        items.push(Value::Object(level.map));
    }
}

/// The pointer a new segment `id` gets in `map`: a member, or the next item of an array when
/// the segment repeats (declared, or met a second time: then the first one moves to item 0).
fn add(
    map: &mut Map<String, Value>,
    base: &str,
    id: &str,
    repeat: bool,
    sources: Option<&mut SourceMap>,
) -> String {
    let track = sources.is_some();
    let pointer = match map.get_mut(id) {
        Some(Value::Array(items)) => format!("{base}/{id}/{}", items.len()),
        Some(existing) if !repeat => {
            let first = existing.take();
            *existing = Value::Array(vec![first]);
            if let Some(sources) = sources {
                let old = format!("{base}/{id}");
                let inside = format!("{old}/");
                let moved: Vec<(String, Source)> = sources
                    .entries
                    .iter()
                    .filter(|(k, _)| **k == old || k.starts_with(&inside))
                    .map(|(k, v)| (format!("{old}/0{}", &k[old.len()..]), v.clone()))
                    .collect();
                sources
                    .entries
                    .retain(|k, _| !(*k == old || k.starts_with(&inside)));
                for (k, v) in moved {
                    sources.insert(k, v);
                }
            }
            format!("{base}/{id}/1")
        }
        _ if !track => String::new(),
        _ if repeat => format!("{base}/{id}/0"),
        _ => format!("{base}/{id}"),
    };
    if track { pointer } else { String::new() }
}

fn put(map: &mut Map<String, Value>, id: &str, object: Value, repeat: bool) {
    match map.get_mut(id) {
        Some(Value::Array(items)) => items.push(object),
        _ if repeat => {
            map.insert(id.to_string(), Value::Array(vec![object]));
        }
        _ => {
            map.insert(id.to_string(), object);
        }
    }
}

/// A segment's elements as an object keyed by reference designator; empty elements are left
/// out (X12 sends nothing for an unused element).
fn elements(
    segment: &super::Segment<'_>,
    id: &str,
    chunk: &[u8],
    c: usize,
    pointer: &str,
    mut sources: Option<&mut SourceMap>,
) -> Value {
    let d = segment.delimiters;
    let track = sources.is_some();
    let mut out = Map::new();
    let text = |b: &[u8]| Value::String(String::from_utf8_lossy(b).into_owned());
    let offset = |b: &[u8]| b.as_ptr() as usize - chunk.as_ptr() as usize;
    let shared_id: std::sync::Arc<str> = id.into();
    for (i, element) in segment.elements.iter().enumerate() {
        if element.is_empty() {
            continue;
        }
        let key = designator(id, i + 1);
        let here = if track {
            format!("{pointer}/{key}")
        } else {
            String::new()
        };
        let mut note = |at: String, bytes: &[u8], name: String| {
            if let Some(map) = sources.as_deref_mut() {
                map.insert(
                    at,
                    Source {
                        chunk: c,
                        start: offset(bytes),
                        len: bytes.len(),
                        segment_position: segment.position,
                        segment_id: shared_id.clone(),
                        element: Some(name.into_boxed_str()),
                    },
                );
            }
        };
        if track {
            note(here.clone(), element, key.clone());
        }
        let composite = |value: &[u8], at: &str, note: &mut dyn FnMut(String, &[u8], String)| {
            if !value.contains(&d.component) {
                return text(value);
            }
            let mut parts = Map::new();
            for (j, part) in value.split(|b| *b == d.component).enumerate() {
                if part.is_empty() {
                    continue;
                }
                let name = format!("{key}-{:02}", j + 1);
                if track {
                    note(format!("{at}/{name}"), part, name.clone());
                }
                parts.insert(name, text(part));
            }
            Value::Object(parts)
        };
        // ISA elements are fixed-width simple elements; ISA11 and ISA16 hold the separators.
        if id == "ISA" {
            out.insert(key, text(element));
            continue;
        }
        let value = match d.repetition {
            Some(r) if element.contains(&r) && r != d.component => Value::Array(
                element
                    .split(|b| *b == r)
                    .enumerate()
                    .map(|(j, rep)| {
                        let at = if track {
                            format!("{here}/{j}")
                        } else {
                            String::new()
                        };
                        if track {
                            note(at.clone(), rep, key.clone());
                        }
                        composite(rep, &at, &mut note)
                    })
                    .collect(),
            ),
            _ => composite(element, &here, &mut note),
        };
        out.insert(key, value);
    }
    Value::Object(out)
}

/// An element's reference designator: the segment id and its 2-digit position (`N403`).
fn designator(id: &str, n: usize) -> String {
    let mut key = String::with_capacity(id.len() + 3);
    key.push_str(id);
    if n >= 100 {
        key.push(char::from(b'0' + (n / 100 % 10) as u8));
    }
    key.push(char::from(b'0' + (n / 10 % 10) as u8));
    key.push(char::from(b'0' + (n % 10) as u8));
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::tokenize::tests::ISA;
    use serde_json::json;

    fn layout() -> X12Layout {
        X12Layout {
            repeat: vec!["REF".into()],
            loops: vec![
                LoopDef {
                    name: "N1_loop".into(),
                    segments: vec!["N1".into(), "N3".into(), "N4".into()],
                    ..LoopDef::default()
                },
                LoopDef {
                    name: "PO1_loop".into(),
                    segments: vec!["PO1".into(), "PID".into()],
                    repeat: vec!["PID".into()],
                    loops: Vec::new(),
                },
            ],
        }
    }

    fn render_text(set: &str, layout: &X12Layout) -> (Value, SourceMap) {
        let d = Delimiters::from_isa(ISA.as_bytes(), 0).unwrap();
        let mut sources = SourceMap::new();
        let value = render(
            &[Chunk {
                bytes: set.as_bytes(),
                position_before: 2,
            }],
            d,
            layout,
            Some(&mut sources),
        );
        (value, sources)
    }

    #[test]
    fn loops_repeats_and_composites_take_the_contract_layout() {
        let set = "ST*850*0001~BEG*00*SA*PO-1**20261120~REF*DP*038~REF*IA*99~N1*ST*DC EAST~N4*SPRINGFIELD*IL*62704~N1*BT*HQ~PO1*1*120*CA*18.5~PID*F****RED~PID*F****LARGE~PO1*2*4*EA*3~CTT*2~SE*13*0001~";
        let (value, sources) = render_text(set, &layout());
        assert_eq!(
            value,
            json!({
                "ST": {"ST01": "850", "ST02": "0001"},
                "BEG": {"BEG01": "00", "BEG02": "SA", "BEG03": "PO-1", "BEG05": "20261120"},
                "REF": [{"REF01": "DP", "REF02": "038"}, {"REF01": "IA", "REF02": "99"}],
                "N1_loop": [
                    {"N1": {"N101": "ST", "N102": "DC EAST"}, "N4": {"N401": "SPRINGFIELD", "N402": "IL", "N403": "62704"}},
                    {"N1": {"N101": "BT", "N102": "HQ"}}
                ],
                "PO1_loop": [
                    {"PO1": {"PO101": "1", "PO102": "120", "PO103": "CA", "PO104": "18.5"},
                     "PID": [{"PID01": "F", "PID05": "RED"}, {"PID01": "F", "PID05": "LARGE"}]},
                    {"PO1": {"PO101": "2", "PO102": "4", "PO103": "EA", "PO104": "3"}}
                ],
                "CTT": {"CTT01": "2"},
                "SE": {"SE01": "13", "SE02": "0001"}
            })
        );
        let n403 = &sources["/N1_loop/0/N4/N403"];
        assert_eq!(
            (
                &*n403.segment_id,
                n403.element.as_deref(),
                n403.segment_position
            ),
            ("N4", Some("N403"), 8)
        );
        assert_eq!(&set[n403.start..n403.start + n403.len], "62704");
    }

    #[test]
    fn a_segment_met_twice_becomes_an_array_and_its_sources_move() {
        let set = "ST*850*0001~DTM*002*20261205~DTM*010*20261201~SE*4*0001~";
        let (value, sources) = render_text(set, &X12Layout::default());
        assert_eq!(value["DTM"][1]["DTM02"], "20261201");
        assert!(sources.contains_key("/DTM/0/DTM02"), "{sources:?}");
        assert!(!sources.contains_key("/DTM/DTM02"));
    }

    /// The sources kept for a few pointers are exactly the full map's for those pointers and
    /// their ancestors, also when a segment moved into an array after they were noted.
    #[test]
    fn sources_for_some_pointers_agree_with_the_full_map() {
        let set = "ST*850*0001~DTM*002*20261205~DTM*010*20261201~N1*ST*DC EAST~N4*SPRINGFIELD*IL*62704~PO1*1*120*CA*18.5~PID*F****RED~SE*8*0001~";
        let (_, full) = render_text(set, &layout());
        let wanted = [
            "/DTM/0/DTM02",
            "/N1_loop/0/N4/N405",
            "/PO1_loop/0/PID/0/PID05",
        ];
        let d = Delimiters::from_isa(ISA.as_bytes(), 0).unwrap();
        let mut some = SourceMap::only(wanted);
        render(
            &[Chunk {
                bytes: set.as_bytes(),
                position_before: 2,
            }],
            d,
            &layout(),
            Some(&mut some),
        );
        for pointer in [
            "/DTM/0/DTM02",
            "/DTM/0",
            "/N1_loop/0/N4",
            "/PO1_loop/0/PID/0/PID05",
        ] {
            let (a, b) = (some.get(pointer), full.get(pointer));
            assert!(a.is_some() && b.is_some(), "{pointer} not kept");
            assert_eq!(
                a.map(|s| (s.start, s.len, s.segment_position)),
                b.map(|s| (s.start, s.len, s.segment_position)),
                "{pointer}"
            );
        }
        // Nothing else: not the other DTM, not the N1 or PO1 elements.
        assert!(!some.contains_key("/DTM/1/DTM02"));
        assert!(!some.contains_key("/N1_loop/0/N1/N101"));
        assert!(
            some.len() < full.len() / 3,
            "{} of {}",
            some.len(),
            full.len()
        );
    }

    #[test]
    fn components_and_repetitions() {
        // A repetition separator exists from version 00402 on.
        let isa = ISA.replacen("*U*00401*", "*^*00501*", 1);
        let d = Delimiters::from_isa(isa.as_bytes(), 0).unwrap();
        let set = b"ST*837*1~SV1*HC>99213>25*50~HI*ABK>J20^ABF>R05~SE*4*1~";
        let value = render(
            &[Chunk {
                bytes: set,
                position_before: 0,
            }],
            d,
            &X12Layout::default(),
            None,
        );
        assert_eq!(
            value["SV1"]["SV101"],
            json!({"SV101-01": "HC", "SV101-02": "99213", "SV101-03": "25"})
        );
        assert_eq!(
            value["HI"]["HI01"],
            json!([{"HI01-01": "ABK", "HI01-02": "J20"}, {"HI01-01": "ABF", "HI01-02": "R05"}])
        );
    }
}
