//! Who may act from a browser: a session cookie, and for each session a CSRF token that every
//! form carries. The token is HMAC-SHA256(this server's key, session id); the key is random at
//! start, so tokens die with the server and cannot be guessed from the session id.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The cookie that names a session.
pub(crate) const COOKIE: &str = "handoff_session";

pub(crate) struct Sessions {
    key: [u8; 32],
}

impl Sessions {
    pub(crate) fn new() -> Result<Sessions, String> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| format!("cannot draw a random session key: {e}"))?;
        Ok(Sessions { key })
    }

    /// A fresh session id: 128 random bits in hex.
    pub(crate) fn open(&self) -> Result<String, String> {
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|e| format!("cannot draw a session id: {e}"))?;
        Ok(hex(&id))
    }

    /// The CSRF token of a session.
    pub(crate) fn token(&self, session: &str) -> String {
        hex(&self.mac(session).finalize().into_bytes())
    }

    /// Whether `sent` is the session's token; compared in constant time.
    pub(crate) fn verify(&self, session: &str, sent: &str) -> bool {
        let Some(bytes) = unhex(sent) else {
            return false;
        };
        self.mac(session).verify_slice(&bytes).is_ok()
    }

    fn mac(&self, session: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(session.as_bytes());
        mac
    }
}

/// The session id a request's cookies name, when it is one of ours in shape.
pub(crate) fn session_of(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie(headers, COOKIE).filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The cookie a browser carries once it gave the receiver's token: a digest of the token, so
/// the token itself is never stored by the browser.
pub(crate) const LOGIN_COOKIE: &str = "handoff_login";

/// The login cookie's value for the token whose SHA-256 is `token_digest`.
pub(crate) fn login_value(token_digest: &[u8; 32]) -> String {
    use sha2::Digest;
    let mut h = Sha256::new();
    h.update(b"handoff-workspace-login\0");
    h.update(token_digest);
    hex(&h.finalize())
}

/// Whether the request carries the login cookie of this token; compared as digests, so the
/// time taken says nothing about the value.
pub(crate) fn logged_in(headers: &axum::http::HeaderMap, token_digest: &[u8; 32]) -> bool {
    use sha2::Digest;
    let expected = Sha256::digest(login_value(token_digest).as_bytes());
    cookie(headers, LOGIN_COOKIE).is_some_and(|v| Sha256::digest(v.as_bytes()) == expected)
}

fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 128 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_belongs_to_its_session_and_server() {
        let a = Sessions::new().unwrap();
        let b = Sessions::new().unwrap();
        let s = a.open().unwrap();
        let t = a.token(&s);
        assert_eq!(t.len(), 64);
        assert!(a.verify(&s, &t));
        assert!(!a.verify(&a.open().unwrap(), &t), "another session's token");
        assert!(!b.verify(&s, &t), "another server's token");
        assert!(!a.verify(&s, &t[..62]));
        assert!(!a.verify(&s, "zz"));
        assert!(!a.verify(&s, ""));
    }

    #[test]
    fn only_a_well_formed_cookie_names_a_session() {
        let mut h = axum::http::HeaderMap::new();
        h.append(
            axum::http::header::COOKIE,
            "other=1; handoff_session=0123456789abcdef0123456789abcdef"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            session_of(&h).as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        let mut bad = axum::http::HeaderMap::new();
        bad.append(
            axum::http::header::COOKIE,
            "handoff_session=<script>".parse().unwrap(),
        );
        assert_eq!(session_of(&bad), None);
    }
}
