//! Turns engine violations into findings: a stable kind, the payload pointer, the value as sent,
//! what the contract expects, and the contract line that says so.

use super::Checker;
use super::locate::Locator;
use crate::compile::Origin;
use crate::contract::keyword::{
    At, Keyword, Said, decimal, enumeration, format, items, length, members, pattern, plural,
    presence, range, types,
};
use crate::contract::{Constraints, Contract, Field, FormatRef, Rule, pointer_of};
use crate::engine::{Detail, Violation};
use crate::finding::{ContractLocation, Finding, Kind};
use crate::pointer;
use crate::yaml::Span;
use serde_json::Value;
use std::collections::HashSet;

/// Longest quoted value; containers and long strings are cut, with an ellipsis.
const MAX_QUOTE_CHARS: usize = 120;
/// Unknown members of one object that get a "did you mean"; the rest are reported without.
const SUGGESTED_UNKNOWN_FIELDS: usize = 100;

pub(super) fn findings(
    checker: &Checker,
    violations: &[Violation],
    payload: &Value,
    locator: &Locator<'_>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for violation in violations {
        classify(checker, violation, payload, locator, &mut out);
    }
    // A value of the wrong type is reported once: its enum, pattern, length and the like are
    // consequences, not separate faults.
    // Looked up per ancestor of each finding's pointer: linear in the findings, not a
    // comparison of every finding with every wrong-typed value.
    let wrong_types: HashSet<String> = out
        .iter()
        .filter(|f| matches!(f.kind, Kind::WrongType | Kind::NullNotAllowed))
        .map(|f| f.pointer.clone())
        .collect();
    if !wrong_types.is_empty() {
        out.retain(|f| {
            matches!(f.kind, Kind::WrongType | Kind::NullNotAllowed)
                || !pointer_and_ancestors(&f.pointer).any(|p| wrong_types.contains(p))
        });
    }
    // A value that is not a decimal number at all also misses a money pattern: one fault, said
    // once, as the decimal finding (it says what is wrong), with the pattern's example.
    let not_numbers: HashSet<String> = out
        .iter()
        .filter(|f| {
            f.kind == Kind::DecimalPrecision && f.message.contains("is not a decimal number")
        })
        .map(|f| f.pointer.clone())
        .collect();
    if !not_numbers.is_empty() {
        let mut examples: Vec<(String, String)> = Vec::new();
        out.retain(|f| {
            let drop = f.kind == Kind::PatternMismatch && not_numbers.contains(&f.pointer);
            if drop && let Some(help) = &f.suggestion {
                examples.push((f.pointer.clone(), help.clone()));
            }
            !drop
        });
        for f in &mut out {
            if f.kind == Kind::DecimalPrecision && f.suggestion.is_none() {
                f.suggestion = examples
                    .iter()
                    .find(|(p, _)| *p == f.pointer)
                    .map(|(_, h)| h.clone());
            }
        }
    }
    out.dedup_by(|a, b| a.kind == b.kind && a.pointer == b.pointer && a.message == b.message);
    sort(&mut out);
    out
}

/// Document order reads naturally; findings without a position (none today) go last.
pub(super) fn sort(findings: &mut [Finding]) {
    findings.sort_by_key(|f| {
        let (line, column) = f
            .position
            .as_ref()
            .map_or((u64::MAX, u64::MAX), |p| (p.line, p.column));
        (line, column, f.kind)
    });
}

/// A finding for each broken cross-field rule, located in the payload text.
pub(super) fn cross_findings(
    contract: &Contract,
    broken: Vec<super::cross::Broken>,
    locator: &Locator<'_>,
) -> Vec<Finding> {
    broken
        .into_iter()
        .map(|b| {
            let located = locator.find(&b.pointer);
            Finding {
                kind: b.kind,
                value: located.as_ref().map(|l| quote(l.raw)),
                position: located.map(|l| l.position),
                message: b.message,
                expected: b.expected,
                contract_location: Some(location(contract, b.span)),
                suggestion: None,
                redacted: false,
                sensitive: None,
                related: b
                    .related
                    .into_iter()
                    .map(|(at, value)| (value, contract.is_sensitive(&at)))
                    .collect(),
                x12: None,
                csv: None,
                pointer: b.pointer,
            }
        })
        .collect()
}

/// A `duplicate_key` finding for each member name an object repeats, with every value and
/// where it is: receivers disagree on which one counts.
pub(super) fn duplicate_keys(locator: &Locator<'_>) -> Vec<Finding> {
    locator
        .duplicate_keys()
        .into_iter()
        .map(|d| {
            let shown: Vec<String> = d
                .occurrences
                .iter()
                .map(|(raw, at)| format!("{} ({}:{})", quote(raw), at.line, at.column))
                .collect();
            let name = crate::escape::cut(&d.name, MAX_QUOTE_CHARS);
            Finding {
                value: d.occurrences.first().map(|(raw, _)| quote(raw)),
                position: d.key_positions.get(1).cloned(),
                message: format!(
                    "`{name}` appears {} times in this object: {}",
                    d.occurrences.len(),
                    shown.join(", ")
                ),
                expected: "each member name once per object (RFC 8259 leaves repeated names undefined, and receivers disagree)".into(),
                suggestion: Some(
                    "send the member once; handoff checked the last value, as most parsers keep it, but a receiver may keep the first or reject the payload".into(),
                ),
                ..Finding::bare(Kind::DuplicateKey, d.pointer, None)
            }
        })
        .collect()
}

/// `/a/b/c`, `/a/b`, `/a` and `` (the root).
fn pointer_and_ancestors(pointer: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(pointer), |p| {
        (!p.is_empty()).then(|| p.rsplit_once('/').map_or("", |(head, _)| head))
    })
}

/// Where a violation came from in the contract.
struct Context<'c> {
    contract: &'c Contract,
    /// The field whose subschema holds the failing keyword.
    field: Option<&'c Field>,
    /// The constraints that declared the keyword: the field's own or its named format's.
    constraints: Option<&'c Constraints>,
    format_name: Option<&'c str>,
    rule: Option<&'c Rule>,
    fragment: bool,
}

fn classify(
    checker: &Checker,
    v: &Violation,
    payload: &Value,
    locator: &Locator<'_>,
    out: &mut Vec<Finding>,
) {
    let contract = &checker.contract;
    let resolved = checker.compiled.origins.resolve(&v.schema_path);
    let mut ctx = Context {
        contract,
        field: None,
        constraints: None,
        format_name: None,
        rule: None,
        fragment: false,
    };
    let mut rule_depth = 0;
    match resolved {
        Some((Origin::Field(path), _)) => {
            ctx.field = contract.field_at(path);
            ctx.constraints = ctx.field.map(|f| &f.constraints);
        }
        Some((Origin::Format { field, name }, _)) => {
            ctx.field = contract.field_at(field);
            ctx.constraints = contract.named_format(name).map(|f| &f.constraints);
            ctx.format_name = Some(name);
        }
        Some((Origin::Rule { object, index }, rest)) => {
            let object = contract.field_at(object);
            ctx.rule = object.and_then(|o| o.rules.get(*index));
            // Each `properties` hop below the rule is one level below the rule's object.
            rule_depth = rest.split('/').filter(|s| *s == "properties").count();
        }
        Some((Origin::Fragment(path), _)) => {
            ctx.field = contract.field_at(path);
            ctx.fragment = true;
        }
        Some((Origin::Keys(path), _)) => {
            if let (Some(object), Some(name)) = (contract.field_at(path), &v.key) {
                out.push(key_finding(contract, object, v, name, locator));
                return;
            }
        }
        None => {}
    }

    let instance = payload.pointer(&v.instance_path);
    let located = locator.find(&v.instance_path);
    let quoted = located.as_ref().map(|l| quote(l.raw));
    let position = located.as_ref().map(|l| l.position.clone());

    let base = Finding {
        position,
        ..Finding::bare(
            Kind::SchemaViolated,
            v.instance_path.clone(),
            quoted.as_deref(),
        )
    };
    let shown = quoted.clone().unwrap_or_else(|| "the value".into());

    if let Some(rule) = ctx.rule {
        out.push(rule_finding(&ctx, rule, v, base, rule_depth, locator));
        return;
    }

    let mut f = base;
    match &v.detail {
        Detail::Required { property } => {
            let child = ctx.field.and_then(|o| o.field(property));
            let description = child.and_then(|c| c.constraints.description.as_deref());
            let said = presence::missing(property, description);
            f.pointer = format!("{}/{}", v.instance_path, pointer::escape(property));
            f.value = None;
            tell(&mut f, &ctx, said, &presence::REQUIRED, false);
            // The line is the member's own: its `required:`, or its key where a default made it.
            f.contract_location =
                child.map(|c| location(contract, c.required.as_ref().map_or(c.span, |r| r.span)));
        }
        Detail::Type { expected } => {
            let places = decimal_places(&ctx);
            let said = types::violated(expected, instance, f.value.as_deref(), places);
            tell(&mut f, &ctx, said, &types::TYPE, false);
            // A type given by a named format or a declared type is declared there; failing
            // both, the field itself says what it is.
            f.contract_location = ctx
                .constraints
                .and_then(|c| c.ty.as_ref().map(|t| t.span))
                .or_else(|| ctx.field.and_then(|fl| named_type_span(contract, fl)))
                .or(ctx.field.map(|fl| fl.span))
                .map(|s| location(contract, s));
        }
        Detail::Enum { options } => {
            let said = enumeration::violated(instance, &shown, options);
            tell(&mut f, &ctx, said, &enumeration::ENUM, false);
        }
        Detail::Const { expected } => {
            f.message = format!("{shown} is not {expected}");
            f.expected = expected.to_string();
            f.contract_location = fragment_location(&ctx);
        }
        Detail::Pattern { pattern } => {
            let said = pattern::violated(instance.and_then(Value::as_str), &shown, pattern);
            tell(&mut f, &ctx, said, &pattern::PATTERN, true);
            f.suggestion = f.suggestion.take().or_else(|| example_hint(&ctx));
        }
        Detail::Format { format: name } => {
            let value = instance.and_then(Value::as_str).unwrap_or("");
            // A date pattern named in a raw schema fragment is a date format all the same.
            let from_fragment = (ctx.fragment && crate::format::Strftime::looks_like(name))
                .then(|| crate::format::Strftime::parse(name).ok())
                .flatten()
                .map(FormatRef::Strftime);
            let declared = ctx
                .constraints
                .and_then(|c| c.format.as_ref())
                .map(|f| &f.value)
                .or(from_fragment.as_ref());
            let case = ctx.constraints.map(format::case).unwrap_or_default();
            let said = format::violated(declared, name, value, &shown, case);
            // The engine's name for a format the contract does not declare is all there is.
            tell(&mut f, &ctx, said, &format::FORMAT, declared.is_some());
        }
        Detail::MinLength { limit } | Detail::MaxLength { limit } => {
            let longer = matches!(v.detail, Detail::MaxLength { .. });
            let value = instance.and_then(Value::as_str).unwrap_or("");
            let said = length::violated(value, &shown, *limit, longer);
            let keyword = if longer {
                &length::MAX_LENGTH
            } else {
                &length::MIN_LENGTH
            };
            tell(&mut f, &ctx, said, keyword, true);
        }
        Detail::MaxBytes { limit } => {
            let value = instance.and_then(Value::as_str).unwrap_or("");
            let said = length::bytes_exceeded(value, &shown, *limit);
            tell(&mut f, &ctx, said, &length::MAX_BYTES, true);
        }
        Detail::Minimum { limit, exclusive } | Detail::Maximum { limit, exclusive } => {
            let above = matches!(v.detail, Detail::Maximum { .. });
            let said = range::violated(&shown, limit, *exclusive, above);
            tell(&mut f, &ctx, said, range::keyword(*exclusive, above), true);
        }
        Detail::MinItems { limit } | Detail::MaxItems { limit } => {
            let n = instance.and_then(Value::as_array).map_or(0, Vec::len) as u64;
            let more = matches!(v.detail, Detail::MaxItems { .. });
            let said = items::count_violated(n, *limit, more);
            let keyword = if more {
                &items::MAX_ITEMS
            } else {
                &items::MIN_ITEMS
            };
            tell(&mut f, &ctx, said, keyword, false);
            f.value = None;
        }
        Detail::UniqueItems => {
            let list = instance
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            tell(
                &mut f,
                &ctx,
                items::repeated(list),
                &items::UNIQUE_ITEMS,
                false,
            );
            f.value = None;
        }
        Detail::AdditionalProperties { unexpected } => {
            let declared: Vec<&str> = ctx
                .field
                .map(|fl| fl.fields.iter().map(|c| c.name.as_str()).collect())
                .unwrap_or_default();
            for (i, name) in unexpected.iter().enumerate() {
                let pointer = format!("{}/{}", v.instance_path, pointer::escape(name));
                let member = locator.find(&pointer);
                // A systematic misspelling shows in the first examples; scoring every one of
                // 10,000 unknown members against 10,000 declared fields would not.
                let said = members::unknown(
                    name,
                    &crate::escape::cut(name, MAX_QUOTE_CHARS),
                    &declared,
                    i < SUGGESTED_UNKNOWN_FIELDS,
                );
                let mut f = Finding {
                    value: member.as_ref().map(|m| quote(m.raw)),
                    position: locator
                        .find_key(&v.instance_path, name)
                        .or(member.map(|m| m.position)),
                    ..Finding::bare(Kind::UnknownField, pointer, None)
                };
                tell(&mut f, &ctx, said, &members::CLOSED, false);
                out.push(f);
            }
            return;
        }
        Detail::Decimal {
            places,
            exact,
            reason,
        } => {
            let said = decimal::violated(instance, &shown, *places, *exact, reason);
            tell(&mut f, &ctx, said, &decimal::DECIMAL, true);
        }
        Detail::FalseSchema => {
            f.message = format!("{shown} is not allowed here");
            f.expected = "no value".into();
            f.contract_location = fragment_location(&ctx);
        }
        Detail::Other { keyword, message } => {
            f.message = message.clone();
            f.expected = format!("a value that satisfies `{keyword}`");
            f.contract_location = fragment_location(&ctx);
        }
    }
    if ctx.fragment {
        f.contract_location = fragment_location(&ctx);
        if f.kind == Kind::SchemaViolated && f.message.is_empty() {
            f.message = format!("{shown} is rejected by the field's schema fragment");
        }
    }
    out.push(f);
}

fn rule_finding(
    ctx: &Context<'_>,
    rule: &Rule,
    v: &Violation,
    mut f: Finding,
    depth: usize,
    locator: &Locator<'_>,
) -> Finding {
    f.kind = Kind::RuleViolated;
    // The rule's object in this payload: the violation's instance, minus the hops below it.
    let mut object_pointer = v.instance_path.as_str();
    for _ in 0..depth {
        object_pointer = object_pointer.rsplit_once('/').map_or("", |(head, _)| head);
    }
    let condition = format!("{object_pointer}{}", condition_text(rule));
    let (what, target) = match &v.detail {
        Detail::Required { property } => {
            let pointer = format!("{}/{}", v.instance_path, pointer::escape(property));
            f.value = None;
            f.position = locator.find(&v.instance_path).map(|l| l.position);
            (format!("{pointer} is required"), pointer)
        }
        Detail::FalseSchema => (
            format!("{} must be absent", v.instance_path),
            v.instance_path.clone(),
        ),
        other => (
            format!(
                "{} must satisfy the rule's constraint ({})",
                v.instance_path,
                short_detail(other)
            ),
            v.instance_path.clone(),
        ),
    };
    f.pointer = target;
    f.message = format!("when {condition}, {what}");
    f.expected = match &rule.description {
        Some(d) => format!("{what} ({d})"),
        None => what,
    };
    f.contract_location = Some(location(ctx.contract, rule.span));
    f
}

fn condition_text(rule: &Rule) -> String {
    let pointer = pointer_of(&rule.when.path);
    let rest = rule.when.to_string();
    format!(
        "{pointer}{}",
        rest.strip_prefix(pointer.as_str()).unwrap_or(&rest)
    )
}

fn short_detail(detail: &Detail) -> String {
    match detail {
        Detail::Enum { options } => format!("one of {}", enumeration::list(options)),
        Detail::Pattern { pattern } => format!("matches `{pattern}`"),
        Detail::Type { expected } => format!("a {}", expected.join(" or ")),
        Detail::Const { expected } => format!("equals {expected}"),
        Detail::MinLength { limit } => format!("at least {limit} characters"),
        Detail::MaxLength { limit } => format!("at most {limit} characters"),
        Detail::Minimum { limit, .. } => format!("at least {limit}"),
        Detail::Maximum { limit, .. } => format!("at most {limit}"),
        Detail::Format { format } => format!("format `{format}`"),
        Detail::Decimal { places, exact, .. } => {
            format!(
                "{} {places} decimal places",
                if *exact { "exactly" } else { "at most" }
            )
        }
        Detail::MaxBytes { limit } => format!("at most {limit} bytes"),
        Detail::Other { message, .. } => message.clone(),
        _ => "see the rule".into(),
    }
}

fn location(contract: &Contract, span: Span) -> ContractLocation {
    ContractLocation {
        file: contract.source.path.display().to_string(),
        line: span.line.max(1),
        column: span.column.max(1),
    }
}

/// A member name that breaks the object's `keys`: reported at the member, quoting the name.
fn key_finding(
    contract: &Contract,
    object: &Field,
    v: &Violation,
    name: &str,
    locator: &Locator<'_>,
) -> Finding {
    let keys = object.keys.as_ref();
    let quoted = serde_json::to_string(name).unwrap_or_default();
    let mut f = Finding::bare(
        Kind::SchemaViolated,
        format!("{}/{}", v.instance_path, pointer::escape(name)),
        Some(&quoted),
    );
    f.position = locator.find_key(&v.instance_path, name);
    let span = |pick: fn(&Constraints) -> Option<Span>| {
        keys.and_then(|k| pick(&k.value).or(Some(k.span)))
            .map(|s| location(contract, s))
    };
    match &v.detail {
        Detail::Pattern { pattern } => {
            f.kind = Kind::PatternMismatch;
            f.message = format!("member name {quoted} does not match the pattern");
            f.expected = format!("member names matching `{pattern}`");
            f.contract_location = span(|c| c.pattern.as_ref().map(|p| p.span));
        }
        Detail::MaxLength { limit } | Detail::MinLength { limit } => {
            let max = matches!(v.detail, Detail::MaxLength { .. });
            f.kind = if max {
                Kind::MaxLengthExceeded
            } else {
                Kind::MinLengthNotMet
            };
            f.message = format!(
                "member name {quoted} is {} long",
                plural(name.chars().count() as u64, "character")
            );
            f.expected = format!(
                "member names of {} {}",
                if max { "at most" } else { "at least" },
                plural(*limit, "character")
            );
            f.contract_location = span(|c| {
                c.max_length
                    .as_ref()
                    .or(c.min_length.as_ref())
                    .map(|l| l.span)
            });
        }
        Detail::Format { format } => {
            f.kind = Kind::FormatMismatch;
            f.message = format!("member name {quoted} is not a valid `{format}`");
            f.expected = format!("member names in the format `{format}`");
            f.contract_location = span(|c| c.format.as_ref().map(|l| l.span));
        }
        other => {
            f.message = format!("member name {quoted} is not allowed: {other:?}");
            f.expected = "a member name the object's `keys` allow".into();
            f.contract_location = span(|_| None);
        }
    }
    f
}

/// What a keyword's module said about a violation, on the finding: its kind, message,
/// expectation (naming the named format it came from, where `via_format` says the keyword can be
/// one's) and fix, and the line that declared the keyword.
fn tell(f: &mut Finding, ctx: &Context<'_>, said: Said, keyword: &Keyword, via_format: bool) {
    f.kind = said.kind;
    f.message = said.message;
    f.expected = if via_format {
        with_format(ctx, said.expected)
    } else {
        said.expected
    };
    f.suggestion = said.suggestion;
    f.contract_location = match keyword.at {
        At::Value(span) => ctx.constraints.and_then(span),
        At::Field(span) => ctx.field.and_then(span),
    }
    .map(|s| location(ctx.contract, s));
}

fn fragment_location(ctx: &Context<'_>) -> Option<ContractLocation> {
    ctx.field
        .and_then(|f| f.schema.as_ref())
        .map(|s| location(ctx.contract, s.span))
}

fn named_type_span(contract: &Contract, field: &Field) -> Option<Span> {
    match field.constraints.format.as_ref().map(|f| &f.value) {
        Some(FormatRef::Named(name)) => contract
            .named_format(name)?
            .constraints
            .ty
            .as_ref()
            .map(|t| t.span),
        _ => None,
    }
}

/// Decimal places the field expects, declared on the field or on its named format.
fn decimal_places(ctx: &Context<'_>) -> Option<u32> {
    let own = ctx.constraints.and_then(|c| c.decimal.as_ref());
    let named = || match ctx.constraints?.format.as_ref().map(|f| &f.value) {
        Some(FormatRef::Named(name)) => ctx
            .contract
            .named_format(name)?
            .constraints
            .decimal
            .as_ref(),
        _ => None,
    };
    own.or_else(named).map(|d| d.value.places)
}

fn with_format(ctx: &Context<'_>, expected: String) -> String {
    match ctx.format_name {
        Some(name) => format!("{expected} (format `{name}`)"),
        None => expected,
    }
}

fn example_hint(ctx: &Context<'_>) -> Option<String> {
    let example = ctx.constraints?.example.as_ref()?;
    Some(format!("for example {}", example.value))
}

/// A value as written, shortened for display when long.
fn quote(raw: &str) -> String {
    if raw.chars().count() <= MAX_QUOTE_CHARS {
        return raw.to_string();
    }
    let cut: String = raw.chars().take(MAX_QUOTE_CHARS).collect();
    format!("{cut}…")
}
