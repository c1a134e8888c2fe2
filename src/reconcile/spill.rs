//! Messages kept on disk until every capture is read, then handed back one entity at a time.
//!
//! Correlation needs every message of an entity together, and the entity's messages can be
//! anywhere in any capture. Holding 10 million messages in memory would grow without bound,
//! so they go into a private temporary SQLite database (deleted when closed) whose page cache
//! is capped; SQLite's external sort brings each entity's messages together in time order.

use super::message::Message;
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// SQLite's page cache for the spill, in KiB (negative `cache_size` means KiB).
const CACHE_KIB: i64 = 32 * 1024;

pub struct Spill {
    db: Connection,
    files: Vec<String>,
    file_ids: HashMap<String, i64>,
    count: u64,
}

impl Spill {
    pub fn new() -> Result<Spill, String> {
        // An empty path opens a private on-disk database that SQLite deletes on close.
        let db = Connection::open("").map_err(|e| format!("cannot open a temporary store: {e}"))?;
        db.execute_batch(&format!(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA temp_store = FILE;
             PRAGMA cache_size = -{CACHE_KIB};
             CREATE TABLE messages (
                entity TEXT NOT NULL, time INTEGER, seq INTEGER NOT NULL, system INTEGER NOT NULL,
                state INTEGER, raw_state TEXT, raw_key TEXT NOT NULL, raw_time TEXT,
                amount TEXT, raw_amount TEXT, currency TEXT, id TEXT, identity TEXT,
                file INTEGER NOT NULL, line INTEGER, findings INTEGER NOT NULL
             );
             BEGIN;"
        ))
        .map_err(|e| format!("cannot prepare a temporary store: {e}"))?;
        Ok(Spill {
            db,
            files: Vec::new(),
            file_ids: HashMap::new(),
            count: 0,
        })
    }

    pub fn push(&mut self, m: &Message) -> Result<(), String> {
        let file = match self.file_ids.get(&m.file) {
            Some(id) => *id,
            None => {
                let id = self.files.len() as i64;
                self.files.push(m.file.clone());
                self.file_ids.insert(m.file.clone(), id);
                id
            }
        };
        let mut stmt = self
            .db
            .prepare_cached(
                "INSERT INTO messages VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )
            .map_err(|e| e.to_string())?;
        stmt.execute(params![
            m.key,
            m.time,
            m.seq as i64,
            m.system as i64,
            m.state.map(|s| s as i64),
            m.raw_state,
            m.raw_key,
            m.raw_time,
            m.amount,
            m.raw_amount,
            m.currency,
            m.id,
            m.identity,
            file,
            m.line.map(|l| l as i64),
            m.findings,
        ])
        .map_err(|e| format!("cannot keep a message in the temporary store: {e}"))?;
        self.count += 1;
        Ok(())
    }

    /// Hand each entity's messages to `each`, entity by entity (in key order), each entity's
    /// messages by time (those without a time last), then reading order.
    pub fn entities(
        self,
        mut each: impl FnMut(&str, &[Message]) -> Result<(), String>,
    ) -> Result<(), String> {
        let fail = |e: rusqlite::Error| format!("cannot read the temporary store back: {e}");
        self.db.execute_batch("COMMIT").map_err(fail)?;
        let mut stmt = self
            .db
            .prepare(
                "SELECT entity, time, seq, system, state, raw_state, raw_key, raw_time, amount, raw_amount,
                        currency, id, identity, file, line, findings
                 FROM messages ORDER BY entity, time IS NULL, time, seq",
            )
            .map_err(fail)?;
        let mut rows = stmt.query([]).map_err(fail)?;
        let mut current: Option<String> = None;
        let mut group: Vec<Message> = Vec::new();
        while let Some(row) = rows.next().map_err(fail)? {
            let key: String = row.get(0).map_err(fail)?;
            if current.as_deref() != Some(key.as_str()) {
                if let Some(done) = current.take() {
                    each(&done, &group)?;
                    group.clear();
                }
                current = Some(key.clone());
            }
            let file: i64 = row.get(13).map_err(fail)?;
            group.push(Message {
                key,
                time: row.get(1).map_err(fail)?,
                seq: row.get::<_, i64>(2).map_err(fail)? as u64,
                system: row.get::<_, i64>(3).map_err(fail)? as usize,
                state: row
                    .get::<_, Option<i64>>(4)
                    .map_err(fail)?
                    .map(|s| s as usize),
                raw_state: row.get(5).map_err(fail)?,
                raw_key: row.get(6).map_err(fail)?,
                raw_time: row.get(7).map_err(fail)?,
                amount: row.get(8).map_err(fail)?,
                raw_amount: row.get(9).map_err(fail)?,
                currency: row.get(10).map_err(fail)?,
                id: row.get(11).map_err(fail)?,
                identity: row.get(12).map_err(fail)?,
                file: self.files.get(file as usize).cloned().unwrap_or_default(),
                line: row
                    .get::<_, Option<i64>>(14)
                    .map_err(fail)?
                    .map(|l| l as u64),
                findings: row.get(15).map_err(fail)?,
            });
        }
        if let Some(done) = current {
            each(&done, &group)?;
        }
        Ok(())
    }

    pub fn len(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}
