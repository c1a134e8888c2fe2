//! Reading flows from YAML: a `flows:` list in handoff.yaml, or one flow per file under
//! `flows/`. Every mistake is a located diagnostic with a "did you mean", as for contracts.

use super::flow::{
    Case, Currency, Expectation, Flow, KeySpec, Match, Pointer, State, Step, System, TimeFormat,
    TimeSpec, Zone, parse_duration,
};
use handoff_core::diagnostic::{Code, Diagnostic, did_you_mean};
use handoff_core::yaml::{self, Key, Node, Reader};
use std::path::{Path, PathBuf};

pub const FLOW_KEYS: &[&str] = &[
    "flow",
    "version",
    "entity",
    "description",
    "systems",
    "states",
    "expect",
    "clock_skew",
    "settle",
    "starts",
];
pub const SYSTEM_KEYS: &[&str] = &[
    "contract",
    "inputs",
    "key",
    "identity",
    "time",
    "state",
    "amount",
    "currency",
    "minor_units",
    "id",
];
pub const KEY_KEYS: &[&str] = &[
    "pointer",
    "case",
    "strip_prefix",
    "strip_leading_zeros",
    "pattern",
];
pub const TIME_KEYS: &[&str] = &["pointer", "format", "utc_offset", "time_zone", "capture"];
pub const EXPECT_KEYS: &[&str] = &["name", "when", "then", "within", "amounts"];

/// Every flow file under `dir` (`flows/*.yaml` and `flows/*/*.yaml`), sorted by path.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let yaml = |p: &Path| {
        p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
    };
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if let Ok(inner) = std::fs::read_dir(&path) {
                    out.extend(inner.flatten().map(|e| e.path()).filter(|p| yaml(p)));
                }
            } else if yaml(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Read one flow file.
pub fn load(path: &Path) -> Result<Flow, Vec<Diagnostic>> {
    parse(path, &yaml::read_file(path, "flow")?)
}

pub fn parse(path: &Path, text: &str) -> Result<Flow, Vec<Diagnostic>> {
    let root = yaml::parse_located(path, text)?;
    let mut doc = Reader::new(path);
    let flow = flow(&mut doc, &root);
    match flow {
        Some(flow) if doc.diagnostics.is_empty() => Ok(flow),
        _ => Err(doc.diagnostics),
    }
}

/// The `flows:` list of handoff.yaml.
pub fn list(doc: &mut Reader, node: &Node) -> Vec<Flow> {
    match node.as_seq() {
        Some(items) => items.iter().filter_map(|item| flow(doc, item)).collect(),
        None => {
            doc.report(
                Code::WrongValueType,
                node.span,
                "`flows` must be a list of flows",
            )
            .help = Some(
                "each flow is a mapping with `flow`, `entity`, `systems`, `states` and `expect`"
                    .into(),
            );
            Vec::new()
        }
    }
}

/// One flow mapping.
pub fn flow(doc: &mut Reader, node: &Node) -> Option<Flow> {
    let entries = doc.mapping(node, "a flow", &[FLOW_KEYS])?;
    let name = doc
        .required_key(entries, node.span, "flow", "the flow")
        .and_then(|(k, v)| doc.text(k, v));
    let version = entries.get("version").and_then(|(k, v)| {
        let text = doc.text(k, v)?;
        match semver::Version::parse(&text) {
            Ok(v) => Some(v),
            Err(e) => {
                doc.report(
                    Code::InvalidVersion,
                    v.span,
                    format!("flow version `{text}` is not MAJOR.MINOR.PATCH: {e}"),
                );
                None
            }
        }
    });
    let entity = doc
        .required_key(entries, node.span, "entity", "the flow")
        .and_then(|(k, v)| doc.text(k, v));
    let description = entries.get("description").and_then(|(k, v)| doc.text(k, v));
    let duration = |doc: &mut Reader, name: &str| -> i64 {
        entries
            .get(name)
            .and_then(|(k, v)| {
                let text = doc.text(k, v)?;
                parse_duration(&text)
                    .map_err(|e| doc.report(Code::InvalidValue, v.span, e))
                    .ok()
            })
            .unwrap_or(0)
    };
    let clock_skew = duration(doc, "clock_skew");
    let settle = duration(doc, "settle");
    let systems = match doc.required_key(entries, node.span, "systems", "the flow") {
        Some((_, v)) => systems(doc, v),
        None => Vec::new(),
    };
    let names: Vec<&str> = systems.iter().map(|s| s.name.as_str()).collect();
    let states = match doc.required_key(entries, node.span, "states", "the flow") {
        Some((_, v)) => states(doc, v, &systems),
        None => Vec::new(),
    };
    let expect = match doc.required_key(entries, node.span, "expect", "the flow") {
        Some((_, v)) => expectations(doc, v, &names, &states),
        None => Vec::new(),
    };
    // By default an entity may begin wherever an expectation begins.
    let starts = match entries.get("starts") {
        Some((k, v)) => strings(doc, k, v)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| {
                let found = names.iter().position(|n| n == s);
                if found.is_none() {
                    let help = did_you_mean(s, names.iter().copied())
                        .map(|c| format!("did you mean `{c}`?"))
                        .unwrap_or_else(|| format!("systems: {}", names.join(", ")));
                    doc.report(
                        Code::InvalidValue,
                        v.span,
                        format!("`starts` names `{s}`, which is not a system of the flow"),
                    )
                    .help = Some(help);
                }
                found
            })
            .collect(),
        None => {
            let mut starts: Vec<usize> = expect.iter().map(|e| e.when.system).collect();
            starts.sort_unstable();
            starts.dedup();
            starts
        }
    };
    Some(Flow {
        name: name?,
        version,
        entity: entity?,
        description,
        file: doc.file.to_path_buf(),
        span: node.span,
        systems,
        states,
        expect,
        clock_skew,
        settle,
        starts,
    })
}

fn systems(doc: &mut Reader, node: &Node) -> Vec<System> {
    let Some(entries) = node.as_map() else {
        doc.report(
            Code::WrongValueType,
            node.span,
            format!(
                "`systems` must map each system's name to its messages, found {}",
                node.kind_name()
            ),
        );
        return Vec::new();
    };
    if entries.len() < 2 {
        doc.report(
            Code::InvalidValue,
            node.span,
            "a flow follows an entity across at least two systems",
        );
    }
    entries
        .iter()
        .filter_map(|(key, value)| system(doc, key, value))
        .collect()
}

fn system(doc: &mut Reader, name: &Key, node: &Node) -> Option<System> {
    let what = format!("system `{}`", name.name);
    let entries = doc.mapping(node, &what, &[SYSTEM_KEYS])?;
    let contract = doc.required_key(entries, name.span, "contract", &what);
    let contract_span = contract.map_or(name.span, |(_, v)| v.span);
    let contract = contract.and_then(|(k, v)| doc.text(k, v));
    let inputs = doc
        .required_key(entries, name.span, "inputs", &what)
        .and_then(|(k, v)| strings(doc, k, v));
    let key = doc
        .required_key(entries, name.span, "key", &what)
        .and_then(|(k, v)| key_spec(doc, k, v));
    let identity = entries
        .get("identity")
        .and_then(|(k, v)| key_spec(doc, k, v));
    let time = doc
        .required_key(entries, name.span, "time", &what)
        .and_then(|(k, v)| time_spec(doc, k, v));
    let pointer =
        |doc: &mut Reader, key: &str| entries.get(key).and_then(|(k, v)| pointer(doc, k, v));
    let state = pointer(doc, "state");
    let amount = pointer(doc, "amount");
    let id = pointer(doc, "id");
    let currency = entries.get("currency").and_then(|(k, v)| {
        let text = doc.text(k, v)?;
        if text.starts_with('/') {
            Some(Currency::Pointer(Pointer::new(text, v.span)))
        } else if handoff_core::format::iso::is_currency(&text) {
            Some(Currency::Fixed(text))
        } else {
            let d = doc.report(
                Code::InvalidValue,
                v.span,
                format!(
                    "`{text}` is neither a JSON Pointer (/currency) nor an ISO 4217 currency code"
                ),
            );
            d.help = handoff_core::format::iso::suggest_currency(&text)
                .map(|c| format!("did you mean `{c}`?"));
            None
        }
    });
    let minor_units = entries
        .get("minor_units")
        .and_then(|(k, v)| doc.boolean(k, v))
        .is_some_and(|b| b.value);
    if minor_units && amount.is_none() {
        doc.report(
            Code::MissingKey,
            name.span,
            format!("{what} says `minor_units` but has no `amount`"),
        );
    }
    Some(System {
        name: name.name.clone(),
        span: name.span,
        contract: contract?,
        contract_span,
        inputs: inputs?,
        key: key?,
        identity,
        time: time?,
        state,
        amount,
        currency,
        minor_units,
        id,
    })
}

fn strings(doc: &mut Reader, key: &Key, node: &Node) -> Option<Vec<String>> {
    match node.as_seq() {
        Some(list) if !list.is_empty() => list
            .iter()
            .map(|i| match i.as_scalar() {
                Some(s) => Some(s.text.clone()),
                None => {
                    doc.report(
                        Code::WrongValueType,
                        i.span,
                        format!("`{}` must list text, found {}", key.name, i.kind_name()),
                    );
                    None
                }
            })
            .collect(),
        Some(_) => {
            doc.report(
                Code::InvalidValue,
                node.span,
                format!("`{}` is empty", key.name),
            );
            None
        }
        None => doc.text(key, node).map(|one| vec![one]),
    }
}

fn pointer(doc: &mut Reader, key: &Key, node: &Node) -> Option<Pointer> {
    let text = doc.text(key, node)?;
    if !text.starts_with('/') {
        doc.report(
            Code::InvalidValue,
            node.span,
            format!("`{}` must be a JSON Pointer such as /{text}", key.name),
        );
        return None;
    }
    Some(Pointer::new(text, node.span))
}

fn key_spec(doc: &mut Reader, key: &Key, node: &Node) -> Option<KeySpec> {
    if node.as_scalar().is_some() {
        return pointer(doc, key, node).map(|pointer| KeySpec {
            pointer,
            alternatives: Vec::new(),
            case: None,
            strip_prefix: Vec::new(),
            strip_leading_zeros: false,
            pattern: None,
        });
    }
    let what = format!("`{}`", key.name);
    let entries = doc.mapping(node, &what, &[KEY_KEYS])?;
    // One pointer, or a list tried in order.
    let mut pointers = doc
        .required_key(entries, key.span, "pointer", &what)
        .and_then(|(k, v)| match v.as_seq() {
            Some(list) if !list.is_empty() => list
                .iter()
                .map(|item| pointer(doc, k, item))
                .collect::<Option<Vec<_>>>(),
            Some(_) => {
                doc.report(Code::InvalidValue, v.span, "`pointer` lists no pointer");
                None
            }
            None => pointer(doc, k, v).map(|p| vec![p]),
        })
        .unwrap_or_default()
        .into_iter();
    let pointer = pointers.next();
    let alternatives: Vec<Pointer> = pointers.collect();
    let case = entries.get("case").and_then(|(k, v)| {
        let text = doc.text(k, v)?;
        match text.as_str() {
            "upper" => Some(Case::Upper),
            "lower" => Some(Case::Lower),
            _ => {
                doc.report(
                    Code::InvalidValue,
                    v.span,
                    format!("`case` is upper or lower, not `{text}`"),
                );
                None
            }
        }
    });
    let strip_prefix = entries
        .get("strip_prefix")
        .and_then(|(k, v)| strings(doc, k, v))
        .unwrap_or_default();
    let strip_leading_zeros = entries
        .get("strip_leading_zeros")
        .and_then(|(k, v)| doc.boolean(k, v))
        .is_some_and(|b| b.value);
    let pattern = entries.get("pattern").and_then(|(k, v)| {
        let text = doc.text(k, v)?;
        regex::Regex::new(&text)
            .map_err(|e| {
                doc.report(
                    Code::InvalidRegex,
                    v.span,
                    format!("pattern does not compile: {e}"),
                );
            })
            .ok()
    });
    Some(KeySpec {
        pointer: pointer?,
        alternatives,
        case,
        strip_prefix,
        strip_leading_zeros,
        pattern,
    })
}

fn time_spec(doc: &mut Reader, key: &Key, node: &Node) -> Option<TimeSpec> {
    let pointers = |doc: &mut Reader, key: &Key, node: &Node| -> Option<Vec<Pointer>> {
        match node.as_seq() {
            Some(list) => list
                .iter()
                .map(|i| pointer(doc, key, i))
                .collect::<Option<Vec<_>>>()
                .filter(|l| !l.is_empty()),
            None => pointer(doc, key, node).map(|p| vec![p]),
        }
    };
    if node.as_map().is_none() {
        return pointers(doc, key, node).map(|pointers| TimeSpec {
            pointers,
            format: None,
            zone: None,
            file_modified: false,
        });
    }
    let entries = doc.mapping(node, "`time`", &[TIME_KEYS])?;
    if let Some((k, v)) = entries.get("capture") {
        let text = doc.text(k, v)?;
        if text != "file_modified" {
            doc.report(
                Code::InvalidValue,
                v.span,
                format!("`capture` can only be `file_modified`, not `{text}`"),
            );
            return None;
        }
        if let Some((other, _)) = entries.0.iter().find(|(k, _)| k.name != "capture") {
            doc.report(
                Code::InvalidValue,
                other.span,
                format!(
                    "`{}` has no meaning beside `capture: file_modified`",
                    other.name
                ),
            );
        }
        return Some(TimeSpec {
            pointers: Vec::new(),
            format: None,
            zone: None,
            file_modified: true,
        });
    }
    let list = doc
        .required_key(entries, key.span, "pointer", "`time`")
        .and_then(|(k, v)| pointers(doc, k, v));
    let format = entries.get("format").and_then(|(k, v)| {
        let text = doc.text(k, v)?;
        // `%s` alone is how strftime spells epoch seconds; the contract formats refuse it
        // because a contract describes one value, but a flow reads what a system sends.
        match text.as_str() {
            "unix_seconds" | "%s" => return Some(TimeFormat::UnixSeconds),
            "unix_milliseconds" => return Some(TimeFormat::UnixMilliseconds),
            _ => {}
        }
        match handoff_core::format::strftime::Strftime::parse(&text) {
            Ok(_) => Some(TimeFormat::Layout(text)),
            Err(e) => {
                let hint = if text.contains("%s") {
                    "; for epoch seconds write `format: unix_seconds` (or `unix_milliseconds`)"
                } else {
                    ""
                };
                doc.report(
                    Code::UnknownFormat,
                    v.span,
                    format!("time format `{text}`: {e}{hint}"),
                );
                None
            }
        }
    });
    let offset = entries.get("utc_offset").and_then(|(k, v)| {
        let text = doc.text(k, v)?;
        parse_offset(&text)
            .ok_or_else(|| {
                doc.report(
                    Code::InvalidValue,
                    v.span,
                    format!("`utc_offset` is written +HH:MM or -HH:MM, not `{text}`"),
                );
            })
            .ok()
    });
    let named = entries.get("time_zone").and_then(|(k, v)| {
        let text = doc.text(k, v)?;
        match jiff::tz::TimeZone::get(&text) {
            Ok(tz) => Some(Zone::Named(text, tz)),
            Err(_) => {
                doc.report(
                    Code::InvalidValue,
                    v.span,
                    format!(
                        "`time_zone` `{text}` is not an IANA time zone; write one such as America/New_York, Europe/Berlin or UTC"
                    ),
                );
                None
            }
        }
    });
    if let Some((k, _)) = entries.get("time_zone")
        && entries.get("utc_offset").is_some()
    {
        doc.report(
            Code::InvalidValue,
            k.span,
            "`time_zone` and `utc_offset` both say how to read local time: keep `time_zone` when the system's clock follows daylight saving time, `utc_offset` when it never changes",
        );
    }
    let zone = named.or(offset.map(Zone::Offset));
    if let Some(f) = format.as_ref().filter(|f| f.is_epoch())
        && let Some((k, _)) = entries.get("time_zone").or(entries.get("utc_offset"))
    {
        doc.report(
            Code::InvalidValue,
            k.span,
            format!(
                "`{}` has no meaning beside `format: {f}`: an epoch time is an instant",
                k.name
            ),
        );
    }
    if list.as_ref().is_some_and(|l| l.len() > 1)
        && format.as_ref().is_none_or(TimeFormat::is_epoch)
    {
        doc.report(
            Code::MissingKey,
            node.span,
            "a time read from several pointers needs a strftime `format` for their values joined by a space",
        );
    }
    Some(TimeSpec {
        pointers: list?,
        format,
        zone,
        file_modified: false,
    })
}

fn parse_offset(text: &str) -> Option<i32> {
    if text == "Z" {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    ((0..=23).contains(&h) && (0..60).contains(&m)).then_some(sign * (h * 3600 + m * 60))
}

fn states(doc: &mut Reader, node: &Node, systems: &[System]) -> Vec<State> {
    let Some(entries) = node.as_map() else {
        doc.report(
            Code::WrongValueType,
            node.span,
            format!(
                "`states` must map each business state to what each system sends, found {}",
                node.kind_name()
            ),
        );
        return Vec::new();
    };
    let names: Vec<&str> = systems.iter().map(|s| s.name.as_str()).collect();
    let mut out = Vec::new();
    for (key, value) in entries {
        let what = format!("state `{}`", key.name);
        let Some(map) = doc.mapping(value, &what, &[&names]) else {
            continue;
        };
        let mut values = Vec::new();
        for (system_key, alternatives) in map.0 {
            let Some(system) = names.iter().position(|n| *n == system_key.name) else {
                continue;
            };
            let items: Vec<&Node> = match alternatives.as_seq() {
                Some(list) => list.iter().collect(),
                None => vec![alternatives],
            };
            let mut matches = Vec::new();
            for item in items {
                if let Some(m) = state_match(doc, system_key, item) {
                    matches.push(m);
                }
            }
            if !matches.is_empty() {
                values.push((system, matches));
            }
        }
        out.push(State {
            name: key.name.clone(),
            span: key.span,
            values,
        });
    }
    out
}

fn state_match(doc: &mut Reader, system: &Key, node: &Node) -> Option<Match> {
    if let Some(s) = node.as_scalar() {
        return Some(Match::Value(s.text.clone(), node.span));
    }
    let Some(map) = node.as_map() else {
        doc.report(
            Code::WrongValueType,
            node.span,
            format!(
                "what `{}` sends is a value, or a mapping of pointers to values",
                system.name
            ),
        );
        return None;
    };
    let mut conditions = Vec::new();
    for (k, v) in map {
        if !k.name.starts_with('/') {
            doc.report(
                Code::InvalidValue,
                k.span,
                format!("`{}` is not a JSON Pointer: write /{}", k.name, k.name),
            );
            continue;
        }
        let value = v.as_scalar()?.text.clone();
        conditions.push((Pointer::new(k.name.clone(), k.span), value));
    }
    (!conditions.is_empty()).then_some(Match::All(conditions))
}

fn expectations(
    doc: &mut Reader,
    node: &Node,
    systems: &[&str],
    states: &[State],
) -> Vec<Expectation> {
    let Some(items) = node.as_seq() else {
        doc.report(
            Code::WrongValueType,
            node.span,
            "`expect` must be a list of expectations",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(entries) = doc.mapping(item, "an expectation", &[EXPECT_KEYS]) else {
            continue;
        };
        let when = doc
            .required_key(entries, item.span, "when", "the expectation")
            .and_then(|(k, v)| step(doc, k, v, systems, states, false));
        let then = doc
            .required_key(entries, item.span, "then", "the expectation")
            .and_then(|(k, v)| step(doc, k, v, systems, states, true));
        let within = doc
            .required_key(entries, item.span, "within", "the expectation")
            .and_then(|(k, v)| {
                let text = doc.text(k, v)?;
                parse_duration(&text)
                    .map_err(|e| doc.report(Code::InvalidValue, v.span, e))
                    .ok()
            });
        let amounts = entries.get("amounts").and_then(|(k, v)| {
            let text = doc.text(k, v)?;
            if text == "equal" {
                Some(true)
            } else {
                doc.report(
                    Code::InvalidValue,
                    v.span,
                    format!("`amounts` can only be `equal`, not `{text}`"),
                );
                None
            }
        });
        let name = entries.get("name").and_then(|(k, v)| doc.text(k, v));
        if let (Some(when), Some(then), Some(within)) = (when, then, within) {
            if when.system == then.system {
                doc.report(
                    Code::InvalidValue,
                    item.span,
                    "an expectation's `when` and `then` name the same system; it compares two systems",
                );
                continue;
            }
            out.push(Expectation {
                name: name.unwrap_or_else(|| {
                    format!("{} -> {}", systems[when.system], systems[then.system])
                }),
                span: item.span,
                when,
                then,
                within,
                amounts: amounts.unwrap_or(false),
            });
        }
    }
    out
}

fn step(
    doc: &mut Reader,
    key: &Key,
    node: &Node,
    systems: &[&str],
    states: &[State],
    any_allowed: bool,
) -> Option<Step> {
    let what = format!("`{}`", key.name);
    let entries = doc.mapping(node, &what, &[systems])?;
    let [(system_key, state_node)] = entries.0 else {
        doc.report(
            Code::InvalidValue,
            node.span,
            format!("{what} names one system and its state, such as {{portal: authorized}}"),
        );
        return None;
    };
    let system = systems.iter().position(|s| *s == system_key.name)?;
    let state = doc.text(system_key, state_node)?;
    if any_allowed && state == "any" {
        return Some(Step {
            system,
            state: None,
        });
    }
    match states.iter().position(|s| s.name == state) {
        Some(i) => {
            if !states[i].values.iter().any(|(s, _)| *s == system) {
                doc.report(
                    Code::InvalidValue,
                    state_node.span,
                    format!(
                        "`states` says nothing of what {} sends in state `{state}`",
                        system_key.name
                    ),
                )
                .help = Some(format!(
                    "add `{}: ...` under `states.{state}`",
                    system_key.name
                ));
                return None;
            }
            Some(Step {
                system,
                state: Some(i),
            })
        }
        None => {
            let names = states.iter().map(|s| s.name.as_str());
            let help = match did_you_mean(&state, names) {
                Some(close) => format!("did you mean `{close}`?"),
                None if any_allowed => {
                    "a state named under `states`, or `any` for any message".into()
                }
                None => "a state named under `states`".into(),
            };
            doc.report(
                Code::InvalidValue,
                state_node.span,
                format!("unknown state `{state}`"),
            )
            .help = Some(help);
            None
        }
    }
}

/// The JSON Schema of one flow, for editors (part of docs/handoff.schema.json). Built from the
/// same key lists the reader checks.
pub fn json_schema() -> serde_json::Value {
    use serde_json::json;
    let text = |d: &str| json!({"type": "string", "description": d});
    let pointer = |d: &str| json!({"type": "string", "pattern": "^/", "description": d});
    let key = json!({"oneOf": [
        {"type": "string", "pattern": "^/"},
        {"type": "object", "additionalProperties": false, "required": ["pointer"], "properties": {
            "pointer": {"oneOf": [{"type": "string", "pattern": "^/"}, {"type": "array", "items": {"type": "string", "pattern": "^/"}, "minItems": 1}], "description": "Where the key is: a pointer, or a list tried in order (the first that holds a value)."},
            "case": {"enum": ["upper", "lower"], "description": "Fold the key's case."},
            "strip_prefix": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}], "description": "Prefixes removed (the first that matches), after case folding."},
            "strip_leading_zeros": {"type": "boolean"},
            "pattern": text("A regex the normalised key must match; other keys are malformed_key.")
        }}
    ]});
    let system = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["contract", "inputs", "key", "time"],
        "properties": {
            "contract": text("The contract the system's messages follow: id, id@version or id@^major."),
            "inputs": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}], "description": "Capture files, directories or globs, relative to the project."},
            "key": key.clone(),
            "identity": key,
            "time": {"oneOf": [
                {"type": "string", "pattern": "^/"},
                {"type": "object", "additionalProperties": false, "properties": {
                    "pointer": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                    "format": text("strftime format of the values joined by a space, such as '%Y%m%d %H%M'; or unix_seconds (also '%s') or unix_milliseconds for epoch times."),
                    "utc_offset": text("+HH:MM or -HH:MM, for times written without an offset by a clock that never changes."),
                    "time_zone": text("An IANA time zone such as America/New_York, for local times written without an offset by a clock that follows daylight saving time."),
                    "capture": {"enum": ["file_modified"], "description": "The message has no time of its own: the capture file's modification time stands for it."}
                }}
            ]},
            "state": pointer("Where the system's state value is."),
            "amount": pointer("Where the amount is: a decimal string or number."),
            "currency": text("A pointer to the currency code, or one ISO 4217 code for every message."),
            "minor_units": {"type": "boolean", "description": "Amounts are integers in the currency's minor units."},
            "id": pointer("A message id: the same id twice is a duplicate_message.")
        }
    });
    let step = json!({"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": {"type": "string"}});
    let mut properties = serde_json::Map::new();
    for k in FLOW_KEYS {
        let schema = match *k {
            "flow" => text("The flow's name."),
            "version" => text("MAJOR.MINOR.PATCH"),
            "entity" => text("What the key names: return, order, refund."),
            "description" => text("What the flow covers."),
            "systems" => json!({"type": "object", "additionalProperties": system}),
            "states" => {
                json!({"type": "object", "description": "Business states in lifecycle order; each maps systems to the value (or values, or {pointer: value} conditions) that mean it.", "additionalProperties": {"type": "object"}})
            }
            "expect" => json!({"type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["when", "then", "within"],
                "properties": {
                    "name": text("The failure zone, as reports name it."),
                    "when": step.clone(),
                    "then": step.clone(),
                    "within": text("A duration: 90s, 30m, 2h, 1d, 1h30m."),
                    "amounts": {"enum": ["equal"]}
                }
            }}),
            "clock_skew" => text("How far systems' clocks may disagree (a duration). Default: 0s."),
            "settle" => text(
                "How long systems may disagree on state before it is a gap (a duration). Default: 0s.",
            ),
            "starts" => {
                json!({"type": "array", "items": {"type": "string"}, "description": "The systems where an entity may begin; an entity only another system knows is an orphan_message. Default: every system an expectation begins with."})
            }
            other => unreachable!("undocumented flow key {other}"),
        };
        properties.insert((*k).into(), schema);
    }
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["flow", "entity", "systems", "states", "expect"],
        "properties": properties
    })
}
