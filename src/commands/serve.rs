//! `handoff serve`: the capture receiver. Reads the flags over handoff.yaml's `serve:` into
//! the receiver's settings (secrets from the environment), starts it, and says where it
//! listens, where it records, and what it recorded when it stops.

use super::{EXIT_CLEAN, Fatal, project_config, project_reach, registry_for, shown};
use crate::console::Console;
use handoff_reports::serve_section::{Rotate, parse_size};
use handoff_serve::{Scheme, Settings, Signature};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on [default: serve.listen in handoff.yaml, else 127.0.0.1:8088]
    #[arg(long)]
    pub(crate) listen: Option<SocketAddr>,
    /// Where captures are recorded, a directory per contract [default: serve.capture_dir, else captures]
    #[arg(long)]
    pub(crate) capture_dir: Option<PathBuf>,
    /// Close a capture file after a duration (1h, 15m) or at a size (100MB) [default: 1h]
    #[arg(long, value_parser = Rotate::parse)]
    pub(crate) rotate: Option<Rotate>,
    /// Answer 422 (not 202) for a payload with findings, as a partner's test endpoint does
    #[arg(long)]
    pub(crate) reject_invalid: bool,
    /// The largest body accepted, such as 1MB or 256KiB; larger is 413 [default: 1MiB]
    #[arg(long, value_parser = parse_size)]
    pub(crate) max_payload_bytes: Option<u64>,
    /// Requests handled at once; more are refused with 503 and Retry-After [default: 512]
    #[arg(long)]
    pub(crate) max_concurrent: Option<usize>,
    /// Sync the capture files before every answer, so a 202 survives a power loss
    #[arg(long)]
    pub(crate) fsync: bool,
    /// The bearer token every request must carry (required beyond 127.0.0.1); prefer the
    /// environment variable, which `ps` does not show
    #[arg(long, env = "HANDOFF_SERVE_TOKEN", hide_env_values = true)]
    pub(crate) token: Option<String>,
    /// How findings in answers show payload values
    #[arg(long, value_parser = super::Choices(handoff_core::redact::Redact::CHOICES), default_value = "sensitive")]
    pub(crate) redact: handoff_core::redact::Redact,
    /// Record outside the project directory
    #[arg(long)]
    pub(crate) allow_outside: bool,
    /// The history database the review workspace (GET /) reads proposals from and records
    /// decisions in [default: `history` in handoff.yaml, else .handoff/history.db]
    #[arg(long, value_name = "FILE")]
    pub(crate) history: Option<PathBuf>,
    /// Where the workspace's Approve may write repaired payloads for re-delivery (as
    /// `handoff review approve --outbox`), instead of into the capture
    #[arg(long, value_name = "DIR")]
    pub(crate) outbox: Option<PathBuf>,
    /// Serve captures only: no review workspace at GET /
    #[arg(long)]
    pub(crate) no_workspace: bool,
    #[command(flatten)]
    pub(crate) registry: super::RegistryArgs,
}

pub(crate) fn cmd_serve(args: ServeArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let settings = settings(&args)?;
    let dir = settings.capture_dir.clone();
    let rotate = settings.rotate;
    let workspace = settings.workspace.is_some();
    let server = handoff_serve::bind(settings).map_err(|e| Fatal::new(e.to_string()))?;
    for cut in &server.repaired {
        con.note(format_args!(
            "handoff serve: cut a torn last line from {} (left by a crash)",
            shown(cut)
        ));
    }
    let rotation = match rotate {
        Rotate::Every(d) => format!("every {}", human_duration(d)),
        Rotate::Bytes(n) => format!("at {n} bytes"),
    };
    let addr = server.local_addr();
    let listening = format!(
        "handoff serve: listening on http://{addr}, recording to {}/<contract>/ (a new file {rotation}); POST /capture/<contract>{}",
        shown(&dir),
        if workspace {
            format!("; the review workspace is http://{addr}/")
        } else {
            String::new()
        }
    );
    let stopped = server
        .run(handoff_serve::Stop::Signals, || {
            con.note(format_args!("{listening}"))
        })
        .map_err(Fatal::new)?;
    let w = stopped.written;
    con.note(format_args!(
        "handoff serve: stopped; {} payload{} recorded in {} file{}{}",
        w.records,
        if w.records == 1 { "" } else { "s" },
        w.files,
        if w.files == 1 { "" } else { "s" },
        if w.failed_writes > 0 {
            format!(
                ", {} write{} refused by the disk",
                w.failed_writes,
                if w.failed_writes == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    ));
    Ok(EXIT_CLEAN)
}

fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        _ if s.is_multiple_of(86_400) => format!("{}d", s / 86_400),
        _ if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        _ if s.is_multiple_of(60) => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

fn settings(args: &ServeArgs) -> Result<Settings, Fatal> {
    let config = project_config(args.registry.config.as_deref())?;
    let registry = registry_for(args.registry.contracts.as_deref(), config.as_ref());
    let section = config.as_ref().map(|c| c.serve.clone()).unwrap_or_default();
    let base = config
        .as_ref()
        .map_or_else(PathBuf::new, |c| c.base.clone());
    let listen = match (&args.listen, &section.listen) {
        (Some(a), _) => *a,
        (None, Some(text)) => text.parse().map_err(|_| {
            Fatal::new(format!(
                "serve.listen `{text}` in handoff.yaml is not an address and port, such as 127.0.0.1:8088"
            ))
        })?,
        (None, None) => SocketAddr::from(([127, 0, 0, 1], 8088)),
    };
    let capture_dir = match (&args.capture_dir, &section.capture_dir) {
        (Some(d), _) => d.clone(),
        (None, Some(d)) => base.join(d),
        (None, None) => base.join("captures"),
    };
    let reach = project_reach(config.as_ref(), &registry, args.allow_outside);
    reach
        .check(&capture_dir, "the capture directory")
        .map_err(|o| Fatal::new(o.to_string()))?;
    let token = match (&args.token, &section.token_env) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(var)) => Some(std::env::var(var).map_err(|_| {
            Fatal::new(format!(
                "serve.token_env in handoff.yaml names ${var}, which is not set"
            ))
        })?),
        (None, None) => None,
    };
    if token.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(Fatal::new(
            "the token is empty: set one that requests can carry",
        ));
    }
    let mut signatures = Vec::new();
    for spec in &section.signatures {
        let secret = std::env::var(&spec.secret_env).map_err(|_| {
            Fatal::new(format!(
                "handoff.yaml:{}: the signature of {} reads its secret from ${}, which is not set\n  = help: export {}=<the webhook secret>; the secret is never written in handoff.yaml",
                spec.span.line, spec.contract, spec.secret_env, spec.secret_env
            ))
        })?;
        let scheme = match spec.scheme.as_str() {
            "stripe" => Scheme::Stripe {
                tolerance: spec.tolerance,
            },
            _ => Scheme::Hmac {
                header: spec.header.clone().unwrap_or_default(),
                hex: spec.encoding == "hex",
            },
        };
        signatures.push(Signature {
            contract: spec.contract.clone(),
            scheme,
            secret: secret.into_bytes(),
            secret_env: spec.secret_env.clone(),
        });
    }
    let mut s = Settings::new(listen, registry.root.clone());
    s.capture_dir = capture_dir;
    if let Some(r) = args.rotate.or(section.rotate) {
        s.rotate = r;
    }
    s.reject_invalid = args.reject_invalid || section.reject_invalid.unwrap_or(false);
    if let Some(n) = args.max_payload_bytes.or(section.max_payload_bytes) {
        s.max_payload_bytes = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = args
        .max_concurrent
        .or(section.max_concurrent.map(|n| n as usize))
    {
        if n == 0 {
            return Err(Fatal::new("--max-concurrent must be at least 1"));
        }
        s.max_concurrent = n;
    }
    s.fsync = args.fsync;
    s.token = token;
    s.signatures = signatures;
    s.redact = args.redact;
    if !args.no_workspace {
        let history = super::history_path(args.history.as_deref(), config.as_ref(), &reach)?;
        if let Some(outbox) = &args.outbox {
            reach
                .check(outbox, "the outbox")
                .map_err(|o| Fatal::new(o.to_string()))?;
        }
        let mut w = handoff_serve::Workspace::new(base.clone(), history);
        w.reach = reach.clone();
        w.outbox = args.outbox.clone();
        if config
            .as_ref()
            .and_then(|c| c.exceptions.as_ref()?.log.as_ref())
            .is_some()
        {
            let registry = args.registry.clone();
            w.weekly = Some(std::sync::Arc::new(move || {
                super::triage::weekly_section(&registry).map(Option::unwrap_or_default)
            }));
            let registry = args.registry.clone();
            w.exception = Some(std::sync::Arc::new(move |line| {
                super::triage::exception_card(&registry, line)
            }));
        }
        if super::reconcile::has_flows(config.as_ref()) {
            let registry = args.registry.clone();
            w.entity = Some(std::sync::Arc::new(
                move |contract: &str, payload: &[u8]| {
                    super::reconcile::entity_section(&registry, contract, payload)
                },
            ));
        }
        s.workspace = Some(w);
    }
    Ok(s)
}
