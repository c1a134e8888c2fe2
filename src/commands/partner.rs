//! `handoff accepts` and `handoff which`: partners' questions, answered by the real checker.

use super::{
    EXIT_CLEAN, EXIT_VIOLATIONS, Fatal, LintFormat, RegistryArgs, print_out, project_config,
    registry_for, shown, versions_of,
};
use crate::console::Console;
use handoff_core::lint;
use handoff_reports::printer::escape::text;
use std::io;
use std::path::PathBuf;

#[derive(clap::Args)]
pub(crate) struct AcceptsArgs {
    /// The contract: id (every version), id@requirement (the versions matching it), or a file
    pub(crate) contract: String,
    /// The field, as a JSON Pointer: /event_code, /line_items/*/sku
    pub(crate) pointer: String,
    /// The value: JSON (5, true, "01", null), or else taken as a string (REFUND_FAILED)
    pub(crate) value: String,
    #[arg(short, long, value_enum, default_value_t = LintFormat::Text)]
    pub(crate) format: LintFormat,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(clap::Args)]
pub(crate) struct WhichArgs {
    /// A payload file (JSON, NDJSON, X12 or CSV, by its extension), or - for stdin (its
    /// shape sniffed)
    pub(crate) payload: PathBuf,
    #[arg(short, long, value_enum, default_value_t = LintFormat::Text)]
    pub(crate) format: LintFormat,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

pub(crate) fn cmd_accepts(args: AcceptsArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let config = project_config(args.registry.config.as_deref())
        .ok()
        .flatten();
    let registry = registry_for(args.registry.contracts.as_deref(), config.as_ref());
    let checkers = versions_of(&registry, &args.contract)?;
    let value: serde_json::Value = match serde_json::from_str(&args.value) {
        Ok(value) => value,
        // JSON too deep to read is not a string someone meant to send.
        Err(e) if e.to_string().starts_with("recursion limit exceeded") => {
            return Err(Fatal::new(
                "the value nests arrays and objects more than 128 levels deep",
            ));
        }
        Err(_) => serde_json::Value::String(args.value.clone()),
    };
    let verdicts = handoff_core::partner::accepts(&checkers, &args.pointer, &value);
    let newest_accepts = verdicts.first().is_some_and(|v| v.accepted());
    let code = if newest_accepts {
        EXIT_CLEAN
    } else {
        EXIT_VIOLATIONS
    };
    if let LintFormat::Json = args.format {
        let doc = serde_json::json!({
            "format_version": 1,
            "contract": checkers[0].contract().id,
            "pointer": args.pointer,
            "value": value,
            "newest_accepts": newest_accepts,
            "versions": verdicts_json(&verdicts),
        });
        print_out(
            con,
            &(serde_json::to_string_pretty(&doc).map_err(|e| Fatal::new(e.to_string()))? + "\n"),
        )?;
        return Ok(code);
    }
    let id = &checkers[0].contract().id;
    let mut out = format!(
        "{} at {} of {id}:\n",
        text(&value.to_string()),
        text(&args.pointer)
    );
    for v in &verdicts {
        let version = v.checker.contract().version.to_string();
        if v.no_such_field {
            out.push_str(&format!("  {version:10} no such field in this version\n"));
        } else if v.accepted() {
            out.push_str(&format!("  {version:10} accepted\n"));
        } else {
            for f in &v.findings {
                let at = f
                    .contract_location
                    .as_ref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default();
                // Some messages already say what is expected ("expected a string, found ...").
                let expected = if f.message.contains(&f.expected) {
                    String::new()
                } else {
                    format!("; expected {}", text(&f.expected))
                };
                out.push_str(&format!(
                    "  {version:10} rejected [{}]: {}{expected}{at}\n",
                    f.kind,
                    text(&f.message)
                ));
                if let Some(help) = &f.suggestion {
                    out.push_str(&format!("  {:10} help: {}\n", "", text(help)));
                }
            }
        }
    }
    let accepting: Vec<String> = verdicts
        .iter()
        .filter(|v| v.accepted())
        .map(|v| v.checker.contract().version.to_string())
        .collect();
    out.push_str(&match (newest_accepts, accepting.is_empty()) {
        (true, _) => format!("accepted by the newest version ({})\n", accepting[0]),
        (false, true) => "accepted by no version\n".to_string(),
        (false, false) => format!(
            "not accepted by the newest version; accepted by {}\n",
            accepting.join(", ")
        ),
    });
    print_out(con, &out)?;
    Ok(code)
}

pub(crate) fn cmd_which(args: WhichArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let config = project_config(args.registry.config.as_deref())
        .ok()
        .flatten();
    let registry = registry_for(args.registry.contracts.as_deref(), config.as_ref());
    // The same size limit as `check`: `which /dev/zero` is an error, not memory exhaustion.
    let limit = handoff_core::run::DEFAULT_MAX_PAYLOAD_BYTES;
    let bytes = if args.payload.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(io::stdin(), limit.saturating_add(1)),
            &mut buf,
        )
        .map_err(|e| Fatal::new(format!("cannot read stdin: {e}")))?;
        if buf.len() as u64 > limit {
            return Err(Fatal::new(format!(
                "standard input is larger than the {limit}-byte payload limit"
            )));
        }
        buf
    } else {
        handoff_core::input::read_bytes(&args.payload, limit)
            .map_err(|e| Fatal::new(format!("{}: {e}", shown(&args.payload))))?
    };
    let entries = registry.entries().map_err(|e| Fatal::new(e.to_string()))?;
    let mut checkers = Vec::new();
    for entry in &entries {
        for (_, path) in entry.versions.iter().rev() {
            if let Some(checker) = lint::prepare(path).0 {
                checkers.push(checker);
            }
        }
    }
    let shape = if args.payload.as_os_str() == "-" {
        handoff_core::input::sniff(&bytes)
    } else {
        handoff_core::input::shape_of(&args.payload)
    };
    let verdicts =
        handoff_core::partner::which(&checkers, &bytes, shape, Some(args.payload.as_path()));
    let accepted: Vec<&handoff_core::partner::Verdict> =
        verdicts.iter().filter(|v| v.accepted()).collect();
    let code = if accepted.is_empty() {
        EXIT_VIOLATIONS
    } else {
        EXIT_CLEAN
    };
    if let LintFormat::Json = args.format {
        let doc = serde_json::json!({
            "format_version": 1,
            "accepted_by": accepted.iter().map(|v| v.checker.contract().reference()).collect::<Vec<_>>(),
            "versions": verdicts_json(&verdicts),
        });
        print_out(
            con,
            &(serde_json::to_string_pretty(&doc).map_err(|e| Fatal::new(e.to_string()))? + "\n"),
        )?;
        return Ok(code);
    }
    let mut out = String::new();
    if accepted.is_empty() {
        out.push_str("accepted by no contract version\n");
    } else {
        out.push_str("accepted by (newest first):\n");
        for v in &accepted {
            out.push_str(&format!("  {}\n", v.checker.contract().reference()));
        }
    }
    // What to show of the rejections: a newer version of an accepting contract that rejects
    // the payload (what blocks an upgrade), or, when nothing accepts it, the closest miss.
    let closest = if accepted.is_empty() {
        verdicts.iter().min_by_key(|v| v.findings.len())
    } else {
        verdicts.iter().find(|v| {
            !v.accepted()
                && accepted.iter().any(|a| {
                    a.checker.contract().id == v.checker.contract().id
                        && v.checker.contract().version > a.checker.contract().version
                })
        })
    };
    if let Some(v) = closest {
        out.push_str(&format!(
            "\nrejected by {} ({} finding{}):\n",
            v.checker.contract().reference(),
            v.findings.len(),
            if v.findings.len() == 1 { "" } else { "s" }
        ));
        for f in &v.findings {
            let pointer = if f.pointer.is_empty() {
                "/"
            } else {
                &f.pointer
            };
            // In NDJSON each line is a payload: say which one the finding is in.
            let line = match (&f.position, shape) {
                (Some(p), handoff_core::input::Shape::Ndjson) => format!(" (line {})", p.line),
                _ => String::new(),
            };
            out.push_str(&format!(
                "  {} at {}{line}: {}\n",
                f.kind,
                text(pointer),
                text(&f.message)
            ));
        }
    }
    print_out(con, &out)?;
    Ok(code)
}

/// Per-version verdicts for JSON output.
pub(crate) fn verdicts_json(
    verdicts: &[handoff_core::partner::Verdict<'_>],
) -> Vec<serde_json::Value> {
    verdicts
        .iter()
        .map(|v| {
            serde_json::json!({
                "contract": v.checker.contract().reference(),
                "accepted": v.accepted(),
                "no_such_field": v.no_such_field,
                "findings": v.findings,
            })
        })
        .collect()
}
