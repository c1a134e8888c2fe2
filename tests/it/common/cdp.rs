//! Headless Chromium driven over the DevTools protocol, for tests that click: open a page,
//! run an expression in it (fill a field, press a button), wait for what the page then says,
//! and fail on any console error, uncaught exception or blocked resource the page logged.

use serde_json::{Value, json};
use std::io::BufRead;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket, stream::MaybeTlsStream};

pub struct Chrome {
    child: Child,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    /// What pages logged as errors, as they came.
    pub errors: Vec<String>,
    _profile: tempfile::TempDir,
}

impl Chrome {
    pub fn start(browser: &str) -> Chrome {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let err = child.stderr.take().unwrap();
        let mut lines = std::io::BufReader::new(err).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("Chromium said where DevTools listen")
                .unwrap();
            if let Some(url) = line.strip_prefix("DevTools listening on ") {
                break url.trim().to_string();
            }
        };
        // Keep draining its log so Chromium never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        let (ws, _) = tungstenite::connect(url).unwrap();
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        }
        Chrome {
            child,
            ws,
            next: 0,
            errors: Vec::new(),
            _profile: profile,
        }
    }

    /// Send a command (to a page's session, or the browser) and wait for its result; events
    /// that arrive meanwhile are kept when they report an error.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.try_call(session, method, params)
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// A command's result, or the error reply it got.
    fn try_call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, Value> {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            let reply = self.read();
            if reply["id"] == id {
                return match reply.get("error") {
                    Some(_) => Err(reply),
                    None => Ok(reply["result"].clone()),
                };
            }
        }
    }

    fn read(&mut self) -> Value {
        loop {
            if let Message::Text(t) = self.ws.read().unwrap() {
                let v: Value = serde_json::from_str(&t).unwrap();
                self.note(&v);
                return v;
            }
        }
    }

    fn note(&mut self, event: &Value) {
        let p = &event["params"];
        match event["method"].as_str() {
            Some("Runtime.exceptionThrown") => self.errors.push(p.to_string()),
            Some("Runtime.consoleAPICalled") if p["type"] == "error" => {
                self.errors.push(p.to_string());
            }
            Some("Log.entryAdded") if p["entry"]["level"] == "error" => {
                self.errors.push(p["entry"].to_string());
            }
            _ => {}
        }
    }

    /// A new page at `url`, its errors watched; the session that speaks to it.
    pub fn open(&mut self, url: &str) -> String {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        let session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Runtime.enable", "Log.enable", "Page.enable"] {
            self.call(Some(&session), domain, json!({}));
        }
        self.call(Some(&session), "Page.navigate", json!({"url": url}));
        self.wait(&session, "document.readyState === 'complete'");
        session
    }

    /// The value of `expression` in the page.
    pub fn eval(&mut self, session: &str, expression: &str) -> Value {
        let r = self.call(
            Some(session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expression}: {r}");
        r["result"]["value"].clone()
    }

    /// `expression` evaluated in a page that may navigate meanwhile (a click that submits a
    /// form): an evaluation the navigation cut short is no failure.
    pub fn eval_navigating(&mut self, session: &str, expression: &str) {
        let r = self.try_call(
            Some(session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        match r {
            Ok(r) => assert!(r.get("exceptionDetails").is_none(), "{expression}: {r}"),
            Err(e) => assert!(navigated(&e), "{expression}: {e}"),
        }
    }

    /// Wait (up to 20 s) until `condition` holds in the page, as after a click navigates.
    pub fn wait(&mut self, session: &str, condition: &str) {
        let start = Instant::now();
        loop {
            let r = self.try_call(
                Some(session),
                "Runtime.evaluate",
                json!({"expression": condition, "returnByValue": true}),
            );
            match r {
                Ok(r) if r["result"]["value"] == true => return,
                Ok(_) => {}
                // The page is between documents: asked again once the next one is there.
                Err(e) if navigated(&e) => {}
                Err(e) => panic!("Runtime.evaluate: {e}"),
            }
            if start.elapsed() > Duration::from_secs(20) {
                let text = self.call(
                    Some(session),
                    "Runtime.evaluate",
                    json!({"expression": "location.href + '\\n' + document.body.innerText", "returnByValue": true}),
                );
                panic!(
                    "the page never got to `{condition}`; it shows {}; logged {:#?}",
                    text["result"]["value"], self.errors
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether an error reply says the page navigated away while the command ran (Chrome answers
/// so, or that the evaluation's context is gone, when a form's submission replaces the page).
fn navigated(reply: &Value) -> bool {
    let message = reply["error"]["message"].as_str().unwrap_or("");
    reply["error"]["code"] == -32000
        && (message.contains("navigated or closed") || message.contains("context"))
}
