//! `handoff import`: a contract written from a JSON Schema or an OpenAPI document.

use super::{EXIT_CLEAN, Fatal, shown};
use crate::console::{Console, note};
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
        #[arg(
            long,
            value_name = "NAME",
            required_unless_present = "all",
            conflicts_with = "all"
        )]
        schema: Option<String>,
        /// Every schema under components.schemas, each its own contract with the types it
        /// reaches, written to DIR/<id>/1.0.0.yaml (the registry layout) with -o DIR
        #[arg(long, requires = "output")]
        all: bool,
        /// With --all: one contract instead, holding every schema as a declared type, with
        /// this schema as its root, written to the -o FILE (linear in the document however
        /// densely its schemas refer to each other)
        #[arg(long, value_name = "NAME", requires = "all")]
        root: Option<String>,
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
    /// `assert`: formats are checked, as the contract language does; `annotate`: `format` is
    /// dropped, as JSON Schema validators do by default
    #[arg(long, value_name = "MODE", default_value = "assert", value_parser = ["assert", "annotate"])]
    formats: String,
    /// Resolve references to URIs under PREFIX from the files under DIR (repeatable), such as
    /// https://schemas.example.com/=schemas/; nothing is fetched from the network
    #[arg(long, value_name = "PREFIX=DIR")]
    resolve: Vec<String>,
}

pub(crate) fn cmd_import(command: ImportCommand, con: &mut Console<'_>) -> Result<u8, Fatal> {
    if let ImportCommand::Openapi {
        file,
        out,
        all: true,
        root,
        ..
    } = &command
    {
        return match root {
            Some(root) => import_types(file, out, root, con),
            None => import_all(file, out, con),
        };
    }
    let (file, out, kind) = match &command {
        ImportCommand::Jsonschema { file, out, pointer } => (file, out, pointer.clone().map(Err)),
        ImportCommand::Openapi {
            file, out, schema, ..
        } => (file, out, schema.clone().map(Ok)),
    };
    let document = read(file)?;
    let options = options(out)?;
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
        Some(Ok(name)) => handoff_core::import::openapi_with(&document, &name, &id, &options),
        Some(Err(pointer)) => {
            handoff_core::import::json_schema_with(&document, Some(&pointer), &id, &options)
        }
        None => handoff_core::import::json_schema_with(&document, None, &id, &options),
    }
    .map_err(|e| Fatal::new(format!("{}: {e}", shown(file))))?;
    // A contract that would be refused later is refused now, with the reason.
    if let Some(why) = refused(&id, &imported.yaml) {
        return Err(Fatal::new(format!(
            "{}: the schema imports as a contract that cannot be checked, so nothing was written: {why}",
            shown(file)
        )));
    }
    match &out.output {
        Some(path) => std::fs::write(path, &imported.yaml)
            .map_err(|e| Fatal::new(format!("cannot write {}: {e}", shown(path))))?,
        None => super::print_out(con, &imported.yaml).map(|_| ())?,
    }
    note!(
        con,
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

fn options(out: &ImportOut) -> Result<handoff_core::import::Options, Fatal> {
    Ok(handoff_core::import::Options {
        formats: if out.formats == "annotate" {
            handoff_core::import::Formats::Annotate
        } else {
            handoff_core::import::Formats::Assert
        },
        documents: resolved(&out.resolve)?,
    })
}

/// Why an imported contract would be refused by `handoff check`, if it would.
fn refused(id: &str, yaml: &str) -> Option<String> {
    let (checker, diagnostics) =
        handoff_core::lint::prepare_text(Path::new(&format!("{id}.yaml")), yaml);
    if checker.is_some() {
        return None;
    }
    let mut why = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.clone())
        .collect::<Vec<_>>()
        .join("; ");
    if why.contains("retrieving it failed") {
        why.push_str(" (references outside the document are never fetched: name the files they point at with --resolve PREFIX=DIR)");
    }
    Some(why)
}

/// `import openapi --all --root NAME -o FILE`: the whole document as one contract.
fn import_types(
    file: &Path,
    out: &ImportOut,
    root: &str,
    con: &mut Console<'_>,
) -> Result<u8, Fatal> {
    let path = out.output.as_deref().expect("clap requires -o with --all");
    let document = read(file)?;
    let options = options(out)?;
    let id = out.id.clone().unwrap_or_else(|| kebab(root));
    let imported = handoff_core::import::openapi_types(&document, root, &id, &options)
        .map_err(|e| Fatal::new(format!("{}: {e}", shown(file))))?;
    if let Some(why) = refused(&id, &imported.yaml) {
        return Err(Fatal::new(format!(
            "{}: the document imports as a contract that cannot be checked, so nothing was written: {why}",
            shown(file)
        )));
    }
    std::fs::write(path, &imported.yaml)
        .map_err(|e| Fatal::new(format!("cannot write {}: {e}", shown(path))))?;
    note!(
        con,
        "handoff: imported `{id}` (every schema as a type, root `{root}`): {} keywords written natively, {} kept as raw JSON Schema",
        imported.native,
        imported.raw
    );
    Ok(EXIT_CLEAN)
}

/// `import openapi --all -o DIR`: one contract per component schema, in the registry layout.
/// Existing files are never replaced, each file is written whole or not at all, and a schema
/// that cannot become a checkable contract is reported while the others are still written.
fn import_all(file: &Path, out: &ImportOut, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let dir = out.output.as_deref().expect("clap requires -o with --all");
    let document = read(file)?;
    let options = options(out)?;
    let prefix = out
        .id
        .as_deref()
        .map(|p| format!("{}-", kebab(p)))
        .unwrap_or_default();
    let id_of = |name: &str| format!("{prefix}{}", kebab(name));
    let imported = handoff_core::import::openapi_all(&document, &id_of, &options)
        .map_err(|e| Fatal::new(format!("{}: {e}", shown(file))))?;
    let mut ids = std::collections::BTreeMap::new();
    for (name, _) in &imported {
        if let Some(other) = ids.insert(id_of(name), name.clone()) {
            return Err(Fatal::new(format!(
                "{}: schemas `{other}` and `{name}` would both be contract `{}`: import them one at a time with --schema and --id",
                shown(file),
                id_of(name)
            )));
        }
    }
    let (mut written, mut failed, mut kept) = (0, Vec::new(), Vec::new());
    let (mut native, mut raw) = (0, 0);
    for (name, contract) in &imported {
        let id = id_of(name);
        if let Some(why) = refused(&id, &contract.yaml) {
            failed.push(format!("{name}: {why}"));
            continue;
        }
        let target = dir.join(&id).join("1.0.0.yaml");
        if target.exists() {
            kept.push(target);
            continue;
        }
        std::fs::create_dir_all(dir.join(&id))
            .map_err(|e| Fatal::new(format!("cannot create {}: {e}", shown(&dir.join(&id)))))?;
        let mut temp = tempfile::NamedTempFile::new_in(dir.join(&id))
            .map_err(|e| Fatal::new(format!("cannot write in {}: {e}", shown(&dir.join(&id)))))?;
        std::io::Write::write_all(&mut temp, contract.yaml.as_bytes())
            .map_err(|e| Fatal::new(format!("cannot write {}: {e}", shown(&target))))?;
        temp.persist_noclobber(&target)
            .map_err(|e| Fatal::new(format!("cannot write {}: {}", shown(&target), e.error)))?;
        written += 1;
        native += contract.native;
        raw += contract.raw;
    }
    note!(
        con,
        "handoff: imported {written} of {} schemas into {}: {native} keywords written natively, {raw} kept as raw JSON Schema{}",
        imported.len(),
        shown(dir),
        if raw > 0 {
            " (handoff lint lists them: imported-as-raw-schema)"
        } else {
            ""
        }
    );
    for path in &kept {
        note!(
            con,
            "handoff: kept {}: it exists already (remove it to import it again)",
            shown(path)
        );
    }
    for why in &failed {
        note!(con, "handoff: not imported: {why}");
    }
    Ok(if failed.is_empty() { EXIT_CLEAN } else { 2 })
}

/// The documents `--resolve PREFIX=DIR` names: every JSON or YAML file under DIR, by PREFIX
/// and its path below DIR.
fn resolved(
    pairs: &[String],
) -> Result<std::collections::BTreeMap<String, serde_json::Value>, Fatal> {
    let mut out = std::collections::BTreeMap::new();
    for pair in pairs {
        let (prefix, dir) = pair.split_once('=').ok_or_else(|| {
            Fatal::new(format!(
                "--resolve {pair:?} is not PREFIX=DIR (such as https://schemas.example.com/=schemas/)"
            ))
        })?;
        let root = Path::new(dir);
        if !root.is_dir() {
            return Err(Fatal::new(format!(
                "--resolve {pair:?}: {dir} is not a directory"
            )));
        }
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            let entries = std::fs::read_dir(&d)
                .map_err(|e| Fatal::new(format!("cannot read {}: {e}", shown(&d))))?;
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    stack.push(path);
                } else if kind.is_file()
                    && path
                        .extension()
                        .is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
                {
                    let relative = path.strip_prefix(root).unwrap_or(&path);
                    let uri = format!(
                        "{}{}",
                        prefix,
                        relative.to_string_lossy().replace('\\', "/")
                    );
                    out.insert(uri, read(&path)?);
                }
            }
        }
    }
    Ok(out)
}

fn read(file: &Path) -> Result<serde_json::Value, Fatal> {
    let bytes = handoff_core::input::read_bytes(file, handoff_core::input::MAX_FILE_BYTES)
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
