//! `handoff export`: contracts for other tools, as a JSON Schema or OpenAPI 3.1 components.

use super::{Fatal, RegistryArgs, prepare, print_out, project_config, registry_for, resolve};
use crate::console::{Console, note};
use handoff_core::export;

#[derive(clap::Subcommand)]
pub(crate) enum ExportCommand {
    /// One contract as a JSON Schema (draft 2020-12) document
    Jsonschema {
        /// id, id@version, id@^major, or a file path
        contract: String,
        /// Keep handoff's own keywords and formats (decimal places, byte limits, date patterns,
        /// currency and country) instead of rewriting them to standard ones
        #[arg(long)]
        extensions: bool,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Contracts as the components.schemas of an OpenAPI 3.1 document
    Openapi {
        /// ids, id@version, id@^major, or file paths
        #[arg(required = true, value_name = "CONTRACT")]
        references: Vec<String>,
        /// Keep handoff's own keywords and formats
        #[arg(long)]
        extensions: bool,
        #[command(flatten)]
        registry: RegistryArgs,
    },
}

pub(crate) fn cmd_export(command: ExportCommand, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let (references, extensions, registry_args, openapi) = match command {
        ExportCommand::Jsonschema {
            contract,
            extensions,
            registry,
        } => (vec![contract], extensions, registry, false),
        ExportCommand::Openapi {
            references,
            extensions,
            registry,
        } => (references, extensions, registry, true),
    };
    let config = project_config(registry_args.config.as_deref())
        .ok()
        .flatten();
    let registry = registry_for(registry_args.contracts.as_deref(), config.as_ref());
    let checkers = references
        .iter()
        .map(|r| prepare(&resolve(&registry, r)?))
        .collect::<Result<Vec<_>, _>>()?;
    let exported = if openapi {
        export::openapi(&checkers, extensions)
    } else {
        export::json_schema(&checkers[0], extensions)
    };
    // What the standard keywords cannot check goes to stderr: the document stays clean JSON.
    for line in &exported.lossy {
        note!(
            con,
            "handoff: note: {}",
            handoff_reports::printer::escape::text(line)
        );
    }
    if !exported.lossy.is_empty() {
        let n = exported.lossy.len();
        note!(
            con,
            "handoff: {n} of the contracts' checks {} not made by the exported schema as handoff makes them, so it accepts more; --extensions keeps handoff's own keywords",
            if n == 1 { "is" } else { "are" }
        );
    }
    let text =
        serde_json::to_string_pretty(&exported.schema).map_err(|e| Fatal::new(e.to_string()))?;
    print_out(con, &format!("{text}\n"))
}
