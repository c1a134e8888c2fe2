//! `handoff explain`: what a contract, or one field of it, accepts, in plain words.
//!
//! Written for integration partners who read contracts without reading YAML: every constraint
//! becomes a sentence, enum values come with their meanings, and each line names the contract
//! line it comes from.

use crate::contract::cross::CrossRule;
use crate::contract::keyword::{decimal, enumeration, format, items, length, pattern, range};
use crate::contract::{
    Constraints, Contract, Field, FieldType, FormatRef, Requirement, Rule, Test, pointer_of,
};
use crate::format::Builtin;
use std::fmt::Write;

/// The whole contract: identity, boundary, and a one-line summary of every field.
pub fn contract(c: &Contract) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", c.reference());
    if let Some(d) = &c.description {
        let _ = writeln!(out, "{d}");
    }
    let b = &c.boundary;
    let _ = write!(
        out,
        "boundary: {} -> {} over {}",
        b.from,
        b.to,
        b.transport.name()
    );
    if let Some(owner) = &b.owner {
        let _ = write!(out, " (owner: {owner})");
    }
    let _ = writeln!(out, "\nfile: {}", c.source.path.display());
    let object_root = c.root.recursive.is_none()
        && c.root.type_name.is_none()
        && c.root.constraints.ty.as_ref().map(|t| t.value) == Some(FieldType::Object);
    if object_root {
        let _ = writeln!(
            out,
            "unknown fields: {}",
            if c.root.is_closed() {
                "rejected (closed)"
            } else {
                "allowed (open)"
            }
        );
    } else {
        // A `root:` payload: say what the whole value is before any members it has.
        let _ = writeln!(out, "payload: {}", type_phrase(c, &c.root));
        for s in sentences(c, &c.root.constraints) {
            let _ = writeln!(out, "  - {s}");
        }
    }
    let mut members = false;
    c.root.walk(&mut |f| members |= !f.path.is_empty());
    if members || object_root {
        let _ = writeln!(out, "\nfields:");
    }
    c.root.walk(&mut |f| {
        if f.path.is_empty() {
            return;
        }
        let depth = f.path.matches('/').count();
        let presence = if f.path.ends_with("/*") {
            "each item"
        } else if f.is_required() {
            "required"
        } else {
            "optional"
        };
        let _ = writeln!(
            out,
            "{:indent$}{}  {}, {}{}",
            "",
            f.path,
            type_phrase(c, f),
            presence,
            if f.deprecated.is_some() {
                ", deprecated"
            } else {
                ""
            },
            indent = depth * 2
        );
    });
    if !c.formats.is_empty() {
        let _ = writeln!(out, "\nformats:");
        for f in &c.formats {
            let _ = writeln!(
                out,
                "  {}: {}",
                f.name,
                sentences(c, &f.constraints).join("; ")
            );
        }
    }
    let _ = writeln!(
        out,
        "\nRun `handoff explain {} <field-pointer>` for one field in detail.",
        c.id
    );
    out
}

/// One field in detail. `pointer` is a contract path (`/line_items/*/sku`) or a payload pointer
/// (`/line_items/0/sku`).
pub fn field(c: &Contract, pointer: &str) -> Option<String> {
    let f = c.field_at(pointer)?;
    let file = c.source.path.display();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} in {}",
        if f.path.is_empty() { "/" } else { &f.path },
        c.reference()
    );
    let _ = writeln!(out, "  declared at {file}:{}", f.span.line);
    if let Some(d) = &f.constraints.description {
        let _ = writeln!(out, "  {d}");
    }
    let _ = writeln!(out);
    let declared = f
        .type_name
        .as_ref()
        .map_or(String::new(), |t| format!(" (declared type `{t}`)"));
    let _ = writeln!(out, "  type: {}{declared}", type_phrase(c, f));
    let _ = writeln!(
        out,
        "  presence: {}",
        if f.path.is_empty() {
            "the whole payload"
        } else if f.is_required() {
            "required: the member must be present"
        } else {
            "optional: the member may be left out"
        }
    );
    let _ = writeln!(
        out,
        "  null: {}",
        if f.is_nullable() {
            "accepted"
        } else {
            "not accepted (send the member with a value, or leave it out if optional)"
        }
    );
    for s in sentences(c, &f.constraints) {
        let _ = writeln!(out, "  - {s}");
    }
    if let Some(values) = &f.constraints.enum_values {
        let _ = writeln!(out, "  allowed values:");
        for v in &values.value {
            match &v.description {
                Some(d) => {
                    let _ = writeln!(out, "    {}  {d}", v.value);
                }
                None => {
                    let _ = writeln!(out, "    {}", v.value);
                }
            }
        }
    }
    let mut limits = Vec::new();
    items::explain(f, &mut limits);
    for s in limits {
        let _ = writeln!(out, "  - {s}");
    }
    if let Some(items) = &f.items {
        let _ = writeln!(
            out,
            "  - each item: {} (see {})",
            type_phrase(c, items),
            items.path
        );
    }
    if !f.fields.is_empty() || f.values.is_some() {
        let names: Vec<&str> = f.fields.iter().map(|x| x.name.as_str()).collect();
        if !names.is_empty() {
            let _ = writeln!(out, "  members: {}", names.join(", "));
        }
        let others = match &f.values {
            Some(values) => format!(
                "allowed under any name, each checked as {} ({})",
                values.path,
                type_phrase(c, values)
            ),
            None if f.is_closed() => "rejected (closed)".into(),
            None => "allowed (open)".into(),
        };
        let label = if names.is_empty() {
            "members"
        } else {
            "other members"
        };
        let _ = writeln!(out, "  {label}: {others}");
    }
    if let Some(union) = &f.union {
        let _ = writeln!(out, "  one of, by `{}`:", union.discriminator.value);
        for case in &union.cases {
            let _ = writeln!(out, "    {:?}  type `{}`", case.value, case.type_name);
        }
    }
    if let Some(keys) = &f.keys {
        let rules = sentences(c, &keys.value);
        let _ = writeln!(out, "  member names: {}", rules.join("; "));
    }
    if let Some(d) = &f.deprecated {
        let _ = writeln!(
            out,
            "  deprecated{}",
            if d.value.is_empty() {
                String::new()
            } else {
                format!(": {}", d.value)
            }
        );
    }
    if let Some(e) = &f.constraints.example {
        let _ = writeln!(out, "  example: {}", e.value);
    }
    if f.schema.is_some() {
        let _ = writeln!(
            out,
            "  - also a raw JSON Schema fragment (see the contract)"
        );
    }
    let rules = rules_mentioning(c, f);
    let checks = checks_mentioning(c, f);
    if !rules.is_empty() || !checks.is_empty() {
        let _ = writeln!(out, "  rules:");
        for (object, rule) in rules {
            let _ = writeln!(
                out,
                "    - {} (line {})",
                rule_sentence(object, rule),
                rule.span.line
            );
        }
        for (object, rule) in checks {
            let scope = if object.path.is_empty() {
                String::new()
            } else {
                format!("in each `{}`: ", object.path)
            };
            let note = rule
                .description
                .as_ref()
                .map_or(String::new(), |d| format!(" ({d})"));
            let _ = writeln!(
                out,
                "    - {scope}{}{note} (line {})",
                rule.check, rule.span.line
            );
        }
    }
    Some(out)
}

fn type_phrase(c: &Contract, f: &Field) -> String {
    if let Some(name) = &f.recursive {
        return format!("a `{name}` (the declared type, recursively)");
    }
    let ty = f.constraints.ty.as_ref().map(|t| t.value).or_else(|| {
        match f.constraints.format.as_ref().map(|x| &x.value) {
            Some(FormatRef::Named(n)) => c
                .named_format(n)
                .and_then(|nf| nf.constraints.ty.as_ref().map(|t| t.value)),
            Some(_) => Some(FieldType::String),
            None => None,
        }
    });
    let base = match (ty, &f.constraints.any_of_types) {
        (Some(t), _) => t.name().to_string(),
        (None, Some(list)) => list
            .value
            .iter()
            .map(|t| t.name())
            .collect::<Vec<_>>()
            .join(" or "),
        (None, None) => "any JSON value".to_string(),
    };
    let base = match &f.items {
        Some(items) if ty == Some(FieldType::Array) => {
            let inner = type_phrase(c, items);
            format!("array of {inner}")
        }
        _ => base,
    };
    let base = match f.constraints.format.as_ref().map(|x| &x.value) {
        Some(format) => format!("{base} ({})", format.name()),
        None => base,
    };
    if f.is_nullable() {
        format!("{base} or null")
    } else {
        base
    }
}

/// Each value constraint as a sentence.
fn sentences(c: &Contract, k: &Constraints) -> Vec<String> {
    let mut out = Vec::new();
    format::explain(k, &mut out);
    // A named format's sentences are its own constraints', said inside the field's.
    if let Some(FormatRef::Named(name)) = k.format.as_ref().map(|f| &f.value)
        && let Some(nf) = c.named_format(name)
    {
        let inner = sentences(c, &nf.constraints);
        let described = nf
            .constraints
            .description
            .as_deref()
            .map(|d| format!("{d}: "))
            .unwrap_or_default();
        // The format's own example is the one to show: it is what the author wrote.
        let example = nf
            .constraints
            .example
            .as_ref()
            .map_or(String::new(), |e| format!(" (example: {})", e.value));
        out.push(format!(
            "format `{name}`: {described}{}{example}",
            inner.join("; ")
        ));
    }
    pattern::explain(k, &mut out);
    length::explain(k, &mut out);
    range::explain(k, &mut out);
    decimal::explain(k, &mut out);
    enumeration::explain(k, &mut out);
    out
}

/// Rules whose condition or requirement names `field`.
fn rules_mentioning<'c>(c: &'c Contract, field: &Field) -> Vec<(&'c Field, &'c Rule)> {
    let mut found = Vec::new();
    c.root.walk(&mut |object| {
        for rule in &object.rules {
            let path_of = |segments: &[String]| format!("{}{}", object.path, pointer_of(segments));
            let mut mentioned = path_of(&rule.when.path) == field.path;
            for r in &rule.then {
                let segments = match r {
                    Requirement::Required(p)
                    | Requirement::Forbidden(p)
                    | Requirement::Constrained(p, _) => p,
                };
                mentioned |= path_of(segments) == field.path;
            }
            if mentioned {
                found.push((object, rule));
            }
        }
    });
    found
}

/// Cross-field rules that read `field`, or that are declared on it.
fn checks_mentioning<'c>(c: &'c Contract, field: &Field) -> Vec<(&'c Field, &'c CrossRule)> {
    let mut found = Vec::new();
    c.root.walk(&mut |object| {
        for rule in &object.checks {
            let reads = rule
                .check
                .patterns()
                .iter()
                .any(|p| format!("{}{p}", object.path) == field.path);
            if reads || object.path == field.path {
                found.push((object, rule));
            }
        }
    });
    found
}

fn rule_sentence(object: &Field, rule: &Rule) -> String {
    let at = |segments: &[String]| format!("{}{}", object.path, pointer_of(segments));
    let condition = match &rule.when.test {
        Test::Equals(v) => format!("{} is {v}", at(&rule.when.path)),
        Test::In(vs) => format!(
            "{} is one of {}",
            at(&rule.when.path),
            vs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Test::Present => format!("{} is present", at(&rule.when.path)),
    };
    let then: Vec<String> = rule
        .then
        .iter()
        .map(|r| match r {
            Requirement::Required(p) => format!("{} is required", at(p)),
            Requirement::Forbidden(p) => format!("{} must be absent", at(p)),
            Requirement::Constrained(p, _) => format!("{} is further constrained", at(p)),
        })
        .collect();
    let mut s = format!("when {condition}, {}", then.join(" and "));
    if let Some(d) = &rule.description {
        s.push_str(&format!(" ({d})"));
    }
    s
}

/// Every built-in format, for `handoff formats`.
pub fn builtin_formats() -> String {
    let mut out = String::new();
    for b in Builtin::ALL {
        let _ = writeln!(out, "{:10} {}", b.name(), b.description());
    }
    let _ = writeln!(
        out,
        "{:10} a date pattern of {} directives, such as %Y%m%d (EDI CCYYMMDD); impossible dates like 20240231 are rejected",
        "%...",
        crate::format::strftime::DIRECTIVES
    );
    out
}
