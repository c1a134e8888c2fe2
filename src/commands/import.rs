//! `handoff import`: a contract written from a JSON Schema or an OpenAPI document.

use super::{EXIT_CLEAN, Fatal, shown};
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub(crate) enum ImportCommand {
    /// A JSON Schema document (JSON or YAML), or one schema in it with --pointer
    Jsonschema {
        /// The JSON Schema document
        file: PathBuf,
        /// The schema to import, as a JSON Pointer into the document (such as /$defs/Order)
        #[arg(long, value_name = "POINTER")]
        pointer: Option<String>,
        #[command(flatten)]
        out: ImportOut,
    },
    /// One schema of an OpenAPI 3.0 or 3.1 document (JSON or YAML)
    Openapi {
        /// The OpenAPI document
        file: PathBuf,
        /// The name under components.schemas
        #[arg(long, value_name = "NAME")]
        schema: String,
        #[command(flatten)]
        out: ImportOut,
    },
}

#[derive(clap::Args)]
pub(crate) struct ImportOut {
    /// The contract id (default: from the schema's name or the file's, in kebab-case)
    #[arg(long)]
    id: Option<String>,
    /// Write the contract to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub(crate) fn cmd_import(command: ImportCommand) -> Result<u8, Fatal> {
    let (file, out, kind) = match &command {
        ImportCommand::Jsonschema { file, out, pointer } => (file, out, pointer.clone().map(Err)),
        ImportCommand::Openapi { file, out, schema } => (file, out, Some(Ok(schema.clone()))),
    };
    let document = read(file)?;
    let fallback = match &kind {
        Some(Ok(name)) => name.clone(),
        Some(Err(pointer)) => pointer.rsplit('/').next().unwrap_or("contract").to_string(),
        None => match document.get("title").and_then(|t| t.as_str()) {
            Some(title) => title.to_string(),
            None => file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("contract")
                .split('.')
                .next()
                .unwrap_or("contract")
                .to_string(),
        },
    };
    let id = out.id.clone().unwrap_or_else(|| kebab(&fallback));
    let imported = match kind {
        Some(Ok(name)) => handoff::import::openapi(&document, &name, &id),
        Some(Err(pointer)) => handoff::import::json_schema(&document, Some(&pointer), &id),
        None => handoff::import::json_schema(&document, None, &id),
    }
    .map_err(|e| Fatal::new(format!("{}: {e}", shown(file))))?;
    match &out.output {
        Some(path) => std::fs::write(path, &imported.yaml)
            .map_err(|e| Fatal::new(format!("cannot write {}: {e}", shown(path))))?,
        None => super::print_out(&imported.yaml).map(|_| ())?,
    }
    eprintln!(
        "handoff: imported `{id}`: {} keyword{} written natively, {} kept as raw JSON Schema{}",
        imported.native,
        if imported.native == 1 { "" } else { "s" },
        imported.raw,
        if imported.raw > 0 {
            " (handoff lint lists them: imported-as-raw-schema)"
        } else {
            ""
        }
    );
    Ok(EXIT_CLEAN)
}

fn read(file: &Path) -> Result<serde_json::Value, Fatal> {
    let bytes = handoff::input::read_bytes(file, handoff::input::MAX_FILE_BYTES)
        .map_err(|e| Fatal::new(format!("{}: {e}", shown(file))))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Fatal::new(format!("{} is not UTF-8", shown(file))))?;
    if let Ok(value) = serde_json::from_str(&text) {
        return Ok(value);
    }
    serde_saphyr::from_str(&text)
        .map_err(|e| Fatal::new(format!("{} is neither JSON nor YAML: {e}", shown(file))))
}

fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 && !out.ends_with('-') {
            out.push('-');
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "imported".into()
    } else {
        out
    }
}
