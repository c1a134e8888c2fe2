//! Webhook authenticity: the signature schemes retail senders use, verified over the raw body
//! before anything is recorded.
//!
//! - `hmac-sha256`: a header carries HMAC-SHA256(secret, body), base64 (Shopify's
//!   `X-Shopify-Hmac-Sha256`) or hex.
//! - `stripe`: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, where each `v1` is
//!   `HMAC-SHA256(secret, "<t>.<body>")` and `t` must be within the tolerance of now (a replayed
//!   old delivery is refused even with a valid MAC).
//!
//! MACs are compared in constant time (`Mac::verify_slice`).

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

type HmacSha256 = Hmac<Sha256>;

/// How one contract's posts are signed.
#[derive(Clone)]
pub struct Signature {
    /// The contract id it covers (every version).
    pub contract: String,
    pub scheme: Scheme,
    /// The secret's bytes, read from the environment variable the project file names.
    pub secret: Vec<u8>,
    /// That variable's name, for messages (the secret itself is never shown).
    pub secret_env: String,
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signature")
            .field("contract", &self.contract)
            .field("scheme", &self.scheme)
            .field("secret", &format_args!("${}", self.secret_env))
            .finish()
    }
}

/// A signature scheme with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// HMAC-SHA256 of the body in `header`, base64 (`hex: false`) or hex.
    Hmac { header: String, hex: bool },
    /// Stripe's timestamped `Stripe-Signature`.
    Stripe { tolerance: Duration },
}

impl Scheme {
    /// The header the signature travels in.
    pub fn header(&self) -> &str {
        match self {
            Scheme::Hmac { header, .. } => header,
            Scheme::Stripe { .. } => "Stripe-Signature",
        }
    }
}

/// Why a post's signature was refused; the message is safe to send back (it never quotes the
/// expected MAC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Missing(String),
    Malformed(String),
    Mismatch(String),
    Stale { age_seconds: i64, tolerance: u64 },
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Missing(header) => write!(
                f,
                "the request has no {header} header; this contract's webhooks must be signed"
            ),
            Refused::Malformed(why) => write!(f, "the signature header cannot be read: {why}"),
            Refused::Mismatch(header) => write!(
                f,
                "the {header} signature does not match the body: the secret differs, or the body was changed after signing (sign the exact bytes sent)"
            ),
            Refused::Stale {
                age_seconds,
                tolerance,
            } => write!(
                f,
                "the Stripe-Signature timestamp is {age_seconds} s from now, beyond the {tolerance} s tolerance: a replayed or delayed delivery"
            ),
        }
    }
}

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length; new_from_slice cannot fail for it.
    HmacSha256::new_from_slice(secret).expect("HMAC accepts any key length")
}

impl Signature {
    /// Verify `body` against the signature header's value (None: the header is absent), at
    /// `now` (unix seconds).
    pub fn verify(&self, header: Option<&[u8]>, body: &[u8], now: i64) -> Result<(), Refused> {
        let name = self.scheme.header().to_string();
        let Some(value) = header else {
            return Err(Refused::Missing(name));
        };
        let value = std::str::from_utf8(value)
            .map_err(|_| Refused::Malformed("it is not text".into()))?
            .trim();
        match &self.scheme {
            Scheme::Hmac { hex, .. } => {
                let sent = if *hex {
                    decode_hex(value).ok_or_else(|| Refused::Malformed("it is not hex".into()))?
                } else {
                    base64::engine::general_purpose::STANDARD
                        .decode(value)
                        .map_err(|_| Refused::Malformed("it is not base64".into()))?
                };
                let mut m = mac(&self.secret);
                m.update(body);
                m.verify_slice(&sent).map_err(|_| Refused::Mismatch(name))
            }
            Scheme::Stripe { tolerance } => {
                let mut stamp = None;
                let mut candidates = Vec::new();
                for part in value.split(',') {
                    match part.trim().split_once('=') {
                        Some(("t", t)) => stamp = Some(t),
                        Some(("v1", v)) => candidates.push(v),
                        _ => {}
                    }
                }
                let t = stamp.ok_or_else(|| Refused::Malformed("no t= timestamp".into()))?;
                let seconds: i64 = t
                    .parse()
                    .map_err(|_| Refused::Malformed(format!("t={t} is not a unix time")))?;
                if candidates.is_empty() {
                    return Err(Refused::Malformed("no v1= signature".into()));
                }
                let age = now - seconds;
                if age.unsigned_abs() > tolerance.as_secs() {
                    return Err(Refused::Stale {
                        age_seconds: age,
                        tolerance: tolerance.as_secs(),
                    });
                }
                // Stripe sends one v1 per active secret while a secret is rolled: any may match.
                let matched = candidates.iter().any(|v| {
                    decode_hex(v).is_some_and(|sent| {
                        let mut m = mac(&self.secret);
                        m.update(t.as_bytes());
                        m.update(b".");
                        m.update(body);
                        m.verify_slice(&sent).is_ok()
                    })
                });
                if matched {
                    Ok(())
                } else {
                    Err(Refused::Mismatch(name))
                }
            }
        }
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// HMAC-SHA256 of `parts` under `secret`, as lowercase hex: what a sender computes (tests, docs).
pub fn hex_mac(secret: &[u8], parts: &[&[u8]]) -> String {
    let mut m = mac(secret);
    for p in parts {
        m.update(p);
    }
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The same MAC as base64, as Shopify sends it.
pub fn base64_mac(secret: &[u8], body: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(body);
    base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shopify() -> Signature {
        Signature {
            contract: "c".into(),
            scheme: Scheme::Hmac {
                header: "X-Shopify-Hmac-Sha256".into(),
                hex: false,
            },
            secret: b"hush".to_vec(),
            secret_env: "S".into(),
        }
    }

    #[test]
    fn hmac_in_base64_and_hex() {
        let body = br#"{"id":1}"#;
        let good = base64_mac(b"hush", body);
        assert_eq!(shopify().verify(Some(good.as_bytes()), body, 0), Ok(()));
        assert_eq!(
            shopify().verify(Some(good.as_bytes()), br#"{"id":2}"#, 0),
            Err(Refused::Mismatch("X-Shopify-Hmac-Sha256".into()))
        );
        assert_eq!(
            shopify().verify(None, body, 0).unwrap_err().to_string(),
            "the request has no X-Shopify-Hmac-Sha256 header; this contract's webhooks must be signed"
        );
        let mut hexed = shopify();
        hexed.scheme = Scheme::Hmac {
            header: "X-Signature".into(),
            hex: true,
        };
        let h = hex_mac(b"hush", &[body]);
        assert_eq!(hexed.verify(Some(h.as_bytes()), body, 0), Ok(()));
        assert_eq!(
            hexed.verify(Some(b"zz"), body, 0),
            Err(Refused::Malformed("it is not hex".into()))
        );
    }

    #[test]
    fn stripe_timestamps_and_rolled_secrets() {
        let s = Signature {
            scheme: Scheme::Stripe {
                tolerance: Duration::from_secs(300),
            },
            ..shopify()
        };
        let body = br#"{"type":"charge.succeeded"}"#;
        let v1 = hex_mac(b"hush", &[b"1700000000", b".", body]);
        let header = format!("t=1700000000,v1=00ff,v1={v1}");
        assert_eq!(
            s.verify(Some(header.as_bytes()), body, 1_700_000_100),
            Ok(())
        );
        assert_eq!(
            s.verify(Some(header.as_bytes()), body, 1_700_000_301),
            Err(Refused::Stale {
                age_seconds: 301,
                tolerance: 300
            })
        );
        assert_eq!(
            s.verify(Some(b"t=1700000000,v1=00ff"), body, 1_700_000_000),
            Err(Refused::Mismatch("Stripe-Signature".into()))
        );
    }
}
