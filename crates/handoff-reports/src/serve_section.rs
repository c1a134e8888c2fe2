//! The `serve:` section of `handoff.yaml`: how `handoff serve` listens, where it records, when
//! it rotates, which limits it holds and how each contract's webhooks prove who sent them.
//!
//! ```yaml
//! serve:
//!   listen: 127.0.0.1:8088
//!   capture_dir: captures
//!   rotate: 1h
//!   max_payload_bytes: 1MB
//!   signatures:
//!     - contract: storefront-order-to-erp
//!       scheme: hmac-sha256
//!       header: X-Shopify-Hmac-Sha256
//!       encoding: base64
//!       secret_env: SHOPIFY_WEBHOOK_SECRET
//! ```
//!
//! Secrets are never in the file: a signature names the environment variable that holds its
//! secret. Sizes and durations are read here, so a mistake is reported at its line, and the
//! command line's flags use the same readers.

use handoff_core::diagnostic::{Code, did_you_mean};
use handoff_core::yaml::{self, Node, Span};
use std::path::PathBuf;
use std::time::Duration;

pub(crate) const KEYS: &[&str] = &[
    "listen",
    "capture_dir",
    "rotate",
    "max_payload_bytes",
    "max_concurrent",
    "reject_invalid",
    "token_env",
    "signatures",
];
const SIGNATURE_KEYS: &[&str] = &[
    "contract",
    "scheme",
    "header",
    "encoding",
    "secret_env",
    "tolerance",
];

/// The signature schemes, with what each verifies.
pub const SCHEMES: &[(&str, &str)] = &[
    (
        "hmac-sha256",
        "HMAC-SHA256 of the raw body in a header, base64 or hex (Shopify, Adyen, most webhook senders)",
    ),
    (
        "stripe",
        "Stripe's Stripe-Signature header: t=<unix time>,v1=<hex HMAC-SHA256 of \"t.body\">, within a tolerance",
    ),
];

/// How a signature is written in its header.
pub const ENCODINGS: &[&str] = &["base64", "hex"];

/// When a capture file is closed and the next one opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotate {
    /// After the file has been open this long.
    Every(Duration),
    /// Once the file holds this many bytes.
    Bytes(u64),
}

impl Rotate {
    /// `1h`, `30m`, `1d` or `100MB`, `512KiB`, `1GB`.
    pub fn parse(text: &str) -> Result<Rotate, String> {
        let t = text.trim();
        if t.ends_with(|c: char| c.eq_ignore_ascii_case(&'b')) {
            parse_size(t).map(Rotate::Bytes)
        } else {
            parse_duration(t).map(Rotate::Every).map_err(|_| {
                format!("`{text}` is neither a duration (such as 1h, 30m, 1d) nor a size (such as 100MB)")
            })
        }
    }
}

/// One contract's webhook signature, as the file states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureSpec {
    /// The contract id (every version of it) whose posts must carry the signature.
    pub contract: String,
    /// One of [`SCHEMES`].
    pub scheme: String,
    /// The header holding the signature (hmac-sha256); Stripe's is `Stripe-Signature`.
    pub header: Option<String>,
    /// One of [`ENCODINGS`] (hmac-sha256; default base64).
    pub encoding: String,
    /// The environment variable holding the secret.
    pub secret_env: String,
    /// How old a Stripe timestamp may be (default 5 minutes).
    pub tolerance: Duration,
    pub span: Span,
}

/// The `serve:` section; every key is optional and the command line's flags override it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServeSection {
    pub listen: Option<String>,
    pub capture_dir: Option<PathBuf>,
    pub rotate: Option<Rotate>,
    pub max_payload_bytes: Option<u64>,
    pub max_concurrent: Option<u64>,
    pub reject_invalid: Option<bool>,
    /// The environment variable holding the bearer token every request must carry.
    pub token_env: Option<String>,
    pub signatures: Vec<SignatureSpec>,
}

/// `1MB` (10^6), `1MiB` (2^20), `512KB`, `2GB`, `1000B` or a bare number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "kib" => 1 << 10,
        "mb" => 1_000_000,
        "mib" => 1 << 20,
        "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "`{text}` is not a size: write a number of bytes with B, KB, MB, GB (or KiB, MiB, GiB)"
            ));
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{text}` is not a size above zero"))
}

/// `30s`, `15m`, `1h`, `1d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "`{text}` is not a duration: write 30s, 15m, 1h or 1d"
            ));
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|n| *n > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("`{text}` is not a duration above zero"))
}

fn one_of(
    doc: &mut yaml::Reader<'_>,
    node: &Node,
    what: &str,
    value: &str,
    allowed: &[&str],
) -> bool {
    if allowed.contains(&value) {
        return true;
    }
    let help = match did_you_mean(value, allowed.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("one of: {}", allowed.join(", ")),
    };
    doc.report(
        Code::InvalidValue,
        node.span,
        format!("unknown {what} `{value}`"),
    )
    .help = Some(help);
    false
}

pub(crate) fn read(doc: &mut yaml::Reader<'_>, node: &Node) -> Option<ServeSection> {
    let entries = doc.mapping(node, "`serve`", &[KEYS])?;
    let mut out = ServeSection {
        listen: entries.get("listen").and_then(|(k, v)| doc.text(k, v)),
        capture_dir: entries
            .get("capture_dir")
            .and_then(|(k, v)| doc.text(k, v))
            .map(PathBuf::from),
        token_env: entries.get("token_env").and_then(|(k, v)| doc.text(k, v)),
        reject_invalid: entries
            .get("reject_invalid")
            .and_then(|(k, v)| doc.boolean(k, v))
            .map(|b| b.value),
        max_concurrent: entries
            .get("max_concurrent")
            .and_then(|(k, v)| doc.count(k, v))
            .map(|n| n.value),
        ..ServeSection::default()
    };
    if let Some((k, v)) = entries.get("rotate")
        && let Some(text) = doc.text(k, v)
    {
        match Rotate::parse(&text) {
            Ok(r) => out.rotate = Some(r),
            Err(why) => {
                doc.report(Code::InvalidValue, v.span, why);
            }
        }
    }
    if let Some((k, v)) = entries.get("max_payload_bytes")
        && let Some(text) = doc.text(k, v)
    {
        match parse_size(&text) {
            Ok(n) => out.max_payload_bytes = Some(n),
            Err(why) => {
                doc.report(Code::InvalidValue, v.span, why);
            }
        }
    }
    if let Some((_, list)) = entries.get("signatures") {
        let Some(items) = list.as_seq() else {
            doc.report(
                Code::WrongValueType,
                list.span,
                "`signatures` must be a list: one entry per contract whose webhooks are signed",
            );
            return Some(out);
        };
        for item in items {
            if let Some(spec) = signature(doc, item) {
                out.signatures.push(spec);
            }
        }
    }
    Some(out)
}

fn signature(doc: &mut yaml::Reader<'_>, item: &Node) -> Option<SignatureSpec> {
    let entries = doc.mapping(item, "a signature", &[SIGNATURE_KEYS])?;
    let contract = doc
        .required_key(entries, item.span, "contract", "the signature")
        .and_then(|(k, v)| doc.text(k, v));
    let secret_env = doc
        .required_key(entries, item.span, "secret_env", "the signature")
        .and_then(|(k, v)| doc.text(k, v));
    let scheme = doc
        .required_key(entries, item.span, "scheme", "the signature")
        .and_then(|(k, v)| {
            let text = doc.text(k, v)?;
            let names: Vec<&str> = SCHEMES.iter().map(|(n, _)| *n).collect();
            one_of(doc, v, "signature scheme", &text, &names).then_some(text)
        });
    let header = entries.get("header").and_then(|(k, v)| doc.text(k, v));
    let encoding = match entries.get("encoding") {
        Some((k, v)) => doc
            .text(k, v)
            .filter(|text| one_of(doc, v, "signature encoding", text, ENCODINGS)),
        None => Some("base64".to_string()),
    };
    let tolerance = match entries.get("tolerance") {
        Some((k, v)) => doc.text(k, v).and_then(|text| match parse_duration(&text) {
            Ok(d) => Some(d),
            Err(why) => {
                doc.report(Code::InvalidValue, v.span, why);
                None
            }
        }),
        None => Some(Duration::from_secs(300)),
    };
    let (contract, secret_env, scheme, encoding, tolerance) =
        (contract?, secret_env?, scheme?, encoding?, tolerance?);
    if scheme == "hmac-sha256" && header.is_none() {
        doc.report(
            Code::MissingKey,
            item.span,
            "an hmac-sha256 signature needs the `header` that carries it",
        )
        .help = Some("such as X-Shopify-Hmac-Sha256 or X-Signature".into());
        return None;
    }
    if contract.contains('@') || contract.contains('/') {
        doc.report(
            Code::InvalidValue,
            item.span,
            format!("`contract: {contract}` must be a contract id: a signature covers every version of it"),
        );
        return None;
    }
    Some(SignatureSpec {
        contract,
        scheme,
        header,
        encoding,
        secret_env,
        tolerance,
        span: item.span,
    })
}

/// The JSON Schema of the section, for `docs/handoff.schema.json`.
pub(crate) fn json_schema() -> serde_json::Value {
    use serde_json::json;
    let schemes: Vec<&str> = SCHEMES.iter().map(|(n, _)| *n).collect();
    let size = "^[0-9]+ *([KMG]i?B|B)?$";
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "listen": {"type": "string", "description": "The address and port to listen on. Default: 127.0.0.1:8088. Beyond loopback a token is required."},
            "capture_dir": {"type": "string", "description": "Where captures are recorded, one directory per contract, relative to this file. Default: captures."},
            "rotate": {"type": "string", "pattern": "^[0-9]+([smhd]|[KMG]i?B|B)$", "description": "When a capture file is closed: after a duration (1h) or at a size (100MB). Default: 1h."},
            "max_payload_bytes": {"type": "string", "pattern": size, "description": "The largest body accepted (413 beyond it). Default: 1MiB."},
            "max_concurrent": {"type": "integer", "minimum": 1, "description": "Requests handled at once; more are refused with 503 and Retry-After. Default: 512."},
            "reject_invalid": {"type": "boolean", "description": "Answer 422 instead of 202 for a payload with findings (a partner's test endpoint). Default: false."},
            "token_env": {"type": "string", "description": "The environment variable holding the bearer token every request must carry. Default: HANDOFF_SERVE_TOKEN."},
            "signatures": {
                "type": "array",
                "description": "Contracts whose webhooks must be signed; a bad or missing signature is 401 and nothing is recorded.",
                "items": {
                    "type": "object",
                    "required": ["contract", "scheme", "secret_env"],
                    "additionalProperties": false,
                    "properties": {
                        "contract": {"type": "string", "description": "A contract id: every version of it."},
                        "scheme": {"enum": schemes},
                        "header": {"type": "string", "description": "The header carrying an hmac-sha256 signature."},
                        "encoding": {"enum": ENCODINGS, "description": "How an hmac-sha256 signature is written. Default: base64."},
                        "secret_env": {"type": "string", "description": "The environment variable holding the secret; never the secret itself."},
                        "tolerance": {"type": "string", "pattern": "^[0-9]+[smhd]$", "description": "How old a Stripe timestamp may be. Default: 5m."}
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations() {
        assert_eq!(parse_size("100MB"), Ok(100_000_000));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("2048"), Ok(2048));
        assert!(parse_size("0MB").is_err());
        assert!(parse_size("12 parsecs").unwrap_err().contains("not a size"));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(
            Rotate::parse("15m"),
            Ok(Rotate::Every(Duration::from_secs(900)))
        );
        assert_eq!(Rotate::parse("10kb"), Ok(Rotate::Bytes(10_000)));
        assert_eq!(
            Rotate::parse("hourly").unwrap_err(),
            "`hourly` is neither a duration (such as 1h, 30m, 1d) nor a size (such as 100MB)"
        );
    }
}
