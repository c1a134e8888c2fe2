//! `handoff render`: the JSON tree handoff checks for each X12 transaction set or CSV row, so
//! contracts can be written against it (and NDJSON of it checked like any capture).

use super::{Fatal, load_contract, shown};
use crate::console::{Console, note};
use handoff_core::check::records;
use handoff_core::contract::Contract;
use handoff_core::input::{self, Input, Payload, Shape};
use handoff_core::x12::stream::Item as X12Item;
use std::path::Path;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RenderFormat {
    /// Each rendering as indented JSON, under a line naming where it came from
    Text,
    /// One rendering per line, ready to check as an NDJSON capture
    Ndjson,
}

#[derive(clap::Args)]
pub(crate) struct RenderArgs {
    /// X12 (.edi, .x12) or CSV (.csv, .tsv) files, or - for stdin (with --input-format)
    #[arg(required = true)]
    pub(crate) inputs: Vec<std::ffi::OsString>,
    /// Lay out loops and type values as this contract says: id, id@version, or a file path
    #[arg(short, long, value_name = "REF")]
    pub(crate) contract: Option<String>,
    /// Registry directory (default: from handoff.yaml, else ./contracts)
    #[arg(long, value_name = "DIR")]
    pub(crate) contracts: Option<std::path::PathBuf>,
    #[arg(long, value_enum, default_value_t = RenderFormat::Text)]
    pub(crate) format: RenderFormat,
    /// What the inputs hold; by default, by extension
    #[arg(long, value_enum)]
    pub(crate) input_format: Option<RenderInput>,
    /// Which values to hide: sensitive fields (the default, as `check`), every value, or none
    /// (for a rendering to check later with `handoff check`); card numbers are always masked
    #[arg(long, value_parser = super::Choices(handoff_core::redact::Redact::CHOICES), default_value = "sensitive")]
    pub(crate) redact: handoff_core::redact::Redact,
    /// Follow symbolic links found in the named directories to files outside the project
    #[arg(long)]
    pub(crate) allow_outside: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RenderInput {
    X12,
    Csv,
}

pub(crate) fn cmd_render(args: RenderArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let checker = match &args.contract {
        Some(reference) => Some(load_contract(&super::ContractArgs {
            contract: reference.clone(),
            contracts: args.contracts.clone(),
            config: None,
        })?),
        None => None,
    };
    let contract = checker.as_ref().map(|c| c.contract());
    let reach = handoff_core::reach::Reach::project([Path::new(".")], args.allow_outside);
    let expanded = input::expand(&args.inputs, Path::new("."), &reach);
    if let Some(err) = expanded.errors.first() {
        return Err(Fatal::new(err.to_string()));
    }
    let mut out = String::new();
    let mut problems = 0usize;
    for item in &expanded.inputs {
        let shape = match (args.input_format, item) {
            (Some(RenderInput::X12), _) => Shape::X12,
            (Some(RenderInput::Csv), _) => Shape::Csv,
            (None, Input::File(path)) => input::shape_of(path),
            (None, Input::Stdin) => {
                return Err(Fatal::new(
                    "say what standard input holds with --input-format x12 or csv",
                ));
            }
        };
        let name = match item {
            Input::File(p) => shown(p),
            Input::Stdin => "-".into(),
        };
        if !matches!(shape, Shape::X12 | Shape::Csv) {
            return Err(Fatal::new(format!(
                "{name} is read as JSON, which needs no rendering; render reads X12 (.edi, .x12, or any file that starts with ISA) and CSV (.csv, .tsv) files, or say what it holds with --input-format x12 or csv"
            )));
        }
        let reading = input::Reading {
            shape,
            csv: contract.and_then(|c| c.csv.as_ref()),
        };
        input::read(
            item,
            Path::new("."),
            reading,
            u64::MAX,
            |_, payload| match one(contract, payload, con) {
                Ok((line, mut value)) => {
                    let hidden = checker
                        .as_ref()
                        .map(|c| c.sensitive_pointers(&value))
                        .unwrap_or_default();
                    redact(&mut value, &hidden, args.redact);
                    emit(&mut out, args.format, &name, line, &value)
                }
                Err(message) => {
                    problems += 1;
                    note!(
                        con,
                        "handoff: {}",
                        handoff_reports::printer::escape::text(&format!("{name}:{message}"))
                    );
                }
            },
        );
    }
    super::print_out(con, &out)?;
    Ok(if problems > 0 {
        super::EXIT_VIOLATIONS
    } else {
        0
    })
}

/// One payload's rendering and the line it starts on, or why there is none.
fn one(
    contract: Option<&Contract>,
    payload: Payload<'_>,
    con: &mut Console<'_>,
) -> Result<(u64, serde_json::Value), String> {
    match payload {
        Payload::X12(X12Item::Set(set)) => {
            for f in &set.findings {
                let at = f.position.as_ref().map_or(0, |p| p.line);
                let note = format!("line {at}: {} [{}]", f.message, f.kind);
                note!(
                    con,
                    "handoff: note: {}",
                    handoff_reports::printer::escape::text(&note)
                );
            }
            Ok((
                set.body.place.line,
                records::render_set(contract, &set, None),
            ))
        }
        Payload::X12(X12Item::Envelope { place, findings }) => Err(format!(
            "{}: {}",
            place.line,
            findings
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )),
        Payload::X12(X12Item::Invalid { place, error }) => Err(format!(
            "{}: not X12 from here: {}",
            place.line, error.message
        )),
        Payload::Csv(handoff_core::flat::Item::Row(row)) => records::render_row(contract, &row)
            .map(|v| (row.line, v))
            .map_err(|e| format!("{}: {}", row.line, e.message)),
        Payload::Csv(handoff_core::flat::Item::TooLarge {
            line, size, limit, ..
        }) => Err(format!(
            "{line}: the row is {size} bytes, over the {limit}-byte limit (--max-payload-bytes)"
        )),
        Payload::Csv(handoff_core::flat::Item::Invalid { line, message }) => {
            Err(format!("{line}: {message}"))
        }
        Payload::Unreadable(err) => Err(format!(" cannot be read: {err}")),
        Payload::Bytes(_) | Payload::TooLarge { .. } => Err(" is not X12 or CSV".into()),
    }
}

/// A rendering as the policy shows it, like `check`'s findings: a hidden value is `•••`, and a
/// card number is masked wherever it is.
fn redact(
    value: &mut serde_json::Value,
    sensitive: &[String],
    policy: handoff_core::redact::Redact,
) {
    use handoff_core::redact::Redact;
    use serde_json::Value;
    const HIDDEN: &str = "•••";
    for pointer in sensitive.iter().filter(|_| policy.hides(true)) {
        if let Some(v) = value.pointer_mut(pointer) {
            *v = Value::String(HIDDEN.into());
        }
    }
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => stack.extend(map.values_mut()),
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Null => {}
            _ if policy == Redact::All => *v = Value::String(HIDDEN.into()),
            Value::String(s) => {
                if let std::borrow::Cow::Owned(masked) = handoff_core::redact::mask_card_numbers(s)
                {
                    *s = masked;
                }
            }
            Value::Number(n) => {
                let text = n.to_string();
                if let std::borrow::Cow::Owned(masked) =
                    handoff_core::redact::mask_card_numbers(&text)
                {
                    *v = Value::String(masked);
                }
            }
            Value::Bool(_) => {}
        }
    }
}

fn emit(out: &mut String, format: RenderFormat, name: &str, line: u64, value: &serde_json::Value) {
    match format {
        RenderFormat::Ndjson => {
            out.push_str(&value.to_string());
            out.push('\n');
        }
        RenderFormat::Text => {
            out.push_str(&format!("# {name}:{line}\n"));
            out.push_str(&serde_json::to_string_pretty(value).unwrap_or_default());
            out.push_str("\n\n");
        }
    }
}
