//! Messages kept on disk until every capture is read, then handed back one entity at a time.
//!
//! Correlation needs every message of an entity together, and the entity's messages can be
//! anywhere in any capture. Holding 10 million messages in memory would grow without bound,
//! so they go into a private temporary SQLite database (deleted when closed) whose page cache
//! is capped; SQLite's external sort brings each entity's messages together in time order.

use super::message::Message;
use rusqlite::{Connection, params};

/// SQLite's page cache for the spill, in KiB (negative `cache_size` means KiB).
const CACHE_KIB: i64 = 32 * 1024;

pub struct Spill {
    db: Connection,
    /// Input file names by input number, as messages name them.
    files: Vec<String>,
}

/// A message ready for the store: its key, time and reading order as columns (the sort key),
/// everything else in one compact record. Built on the worker threads, so the one thread that
/// writes to the store does as little as possible per message.
pub struct Encoded {
    pub key: String,
    pub time: Option<i64>,
    pub seq: u64,
    pub input: u32,
    pub record: Vec<u8>,
}

impl Encoded {
    pub fn new(m: &Message, input: u32) -> Encoded {
        let mut record = Vec::with_capacity(96);
        record.extend_from_slice(&(m.system as u16).to_le_bytes());
        record.extend_from_slice(&m.state.map_or(u16::MAX, |s| s as u16).to_le_bytes());
        record.extend_from_slice(&m.line.unwrap_or(u64::MAX).to_le_bytes());
        record.extend_from_slice(&m.findings.to_le_bytes());
        record.push(u8::from(m.ambiguous_time));
        put(&mut record, Some(&m.raw_key));
        for field in [
            &m.raw_time,
            &m.raw_state,
            &m.amount,
            &m.raw_amount,
            &m.currency,
            &m.id,
            &m.identity,
        ] {
            put(&mut record, field.as_deref());
        }
        Encoded {
            key: m.key.clone(),
            time: m.time,
            seq: m.seq,
            input,
            record,
        }
    }
}

fn put(record: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(t) => {
            record.extend_from_slice(&(t.len() as u32).to_le_bytes());
            record.extend_from_slice(t.as_bytes());
        }
        None => record.extend_from_slice(&u32::MAX.to_le_bytes()),
    }
}

/// Reads a record back; `None` only if the store was damaged under us.
struct Reader<'r> {
    bytes: &'r [u8],
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.bytes.split_first_chunk::<N>()?;
        self.bytes = rest;
        Some(*head)
    }

    fn text(&mut self) -> Option<Option<String>> {
        let len = u32::from_le_bytes(self.take::<4>()?);
        if len == u32::MAX {
            return Some(None);
        }
        let (head, rest) = self.bytes.split_at_checked(len as usize)?;
        self.bytes = rest;
        Some(Some(String::from_utf8_lossy(head).into_owned()))
    }
}

fn decode(
    key: String,
    time: Option<i64>,
    seq: u64,
    file: String,
    record: &[u8],
) -> Option<Message> {
    let mut r = Reader { bytes: record };
    let system = u16::from_le_bytes(r.take::<2>()?) as usize;
    let state = u16::from_le_bytes(r.take::<2>()?);
    let line = u64::from_le_bytes(r.take::<8>()?);
    let findings = u32::from_le_bytes(r.take::<4>()?);
    let [ambiguous_time] = r.take::<1>()?;
    Some(Message {
        system,
        seq,
        key,
        raw_key: r.text()?.unwrap_or_default(),
        time,
        raw_time: r.text()?,
        state: (state != u16::MAX).then_some(state as usize),
        raw_state: r.text()?,
        amount: r.text()?,
        raw_amount: r.text()?,
        currency: r.text()?,
        id: r.text()?,
        identity: r.text()?,
        file,
        line: (line != u64::MAX).then_some(line),
        findings,
        ambiguous_time: ambiguous_time == 1,
    })
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
                entity TEXT NOT NULL, time INTEGER, seq INTEGER NOT NULL, input INTEGER NOT NULL,
                record BLOB NOT NULL
             );
             BEGIN;"
        ))
        .map_err(|e| format!("cannot prepare a temporary store: {e}"))?;
        Ok(Spill {
            db,
            files: Vec::new(),
        })
    }

    /// Name input number `input` (inputs are numbered in reading order, from 0).
    pub fn name_input(&mut self, input: u32, file: &str) {
        let input = input as usize;
        if self.files.len() <= input {
            self.files.resize(input + 1, String::new());
        }
        if self.files[input].is_empty() {
            self.files[input] = file.to_string();
        }
    }

    pub fn push(&mut self, m: &Encoded) -> Result<(), String> {
        let mut stmt = self
            .db
            .prepare_cached("INSERT INTO messages VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(|e| e.to_string())?;
        stmt.execute(params![m.key, m.time, m.seq as i64, m.input, m.record])
            .map_err(|e| format!("cannot keep a message in the temporary store: {e}"))?;
        Ok(())
    }

    /// Hand each entity's messages to `each`, entity by entity (in key order), each entity's
    /// messages by time (those without a time last), then reading order. An entity of more than
    /// `cap` messages is handed its first and last `cap / 2` (its triggers and its last known
    /// states) and the number left out between them, so one key that thousands of messages
    /// share (a placeholder such as `0`) cannot hold them all in memory.
    pub fn entities(
        self,
        cap: usize,
        mut each: impl FnMut(&str, &[Message], u64) -> Result<(), String>,
    ) -> Result<(), String> {
        let fail = |e: rusqlite::Error| format!("cannot read the temporary store back: {e}");
        self.db.execute_batch("COMMIT").map_err(fail)?;
        let mut stmt = self
            .db
            .prepare(
                "SELECT entity, time, seq, input, record FROM messages
                 ORDER BY entity, time IS NULL, time, seq",
            )
            .map_err(fail)?;
        let mut rows = stmt.query([]).map_err(fail)?;
        let mut current: Option<String> = None;
        let mut group = Group::new(cap);
        while let Some(row) = rows.next().map_err(fail)? {
            let key: String = row.get(0).map_err(fail)?;
            if current.as_deref() != Some(key.as_str()) {
                if let Some(done) = current.take() {
                    let cut = group.cut;
                    each(&done, group.messages(), cut)?;
                    group.clear();
                }
                current = Some(key.clone());
            }
            let input: i64 = row.get(3).map_err(fail)?;
            let file = self.files.get(input as usize).cloned().unwrap_or_default();
            let record = row
                .get_ref(4)
                .map_err(fail)?
                .as_blob()
                .map_err(|e| e.to_string())?;
            let message = decode(
                key,
                row.get(1).map_err(fail)?,
                row.get::<_, i64>(2).map_err(fail)? as u64,
                file,
                record,
            )
            .ok_or("the temporary store holds a damaged record")?;
            group.push(message);
        }
        if let Some(done) = current {
            let cut = group.cut;
            each(&done, group.messages(), cut)?;
        }
        Ok(())
    }
}

/// One entity's messages as they are read back: all of them up to the cap, then the first
/// half kept, the newest half in a ring, and a count of those pushed out between.
struct Group {
    cap: usize,
    head: Vec<Message>,
    tail: std::collections::VecDeque<Message>,
    cut: u64,
    joined: Vec<Message>,
}

impl Group {
    fn new(cap: usize) -> Group {
        Group {
            cap: cap.max(2),
            head: Vec::new(),
            tail: std::collections::VecDeque::new(),
            cut: 0,
            joined: Vec::new(),
        }
    }

    fn push(&mut self, m: Message) {
        if self.head.len() < self.cap / 2 {
            self.head.push(m);
            return;
        }
        self.tail.push_back(m);
        if self.tail.len() > self.cap - self.cap / 2 {
            self.tail.pop_front();
            self.cut += 1;
        }
    }

    fn messages(&mut self) -> &[Message] {
        self.joined.clear();
        self.joined.append(&mut self.head);
        self.joined.extend(self.tail.drain(..));
        &self.joined
    }

    fn clear(&mut self) {
        self.head.clear();
        self.tail.clear();
        self.joined.clear();
        self.cut = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_as_it_was_written() {
        let m = Message {
            system: 3,
            seq: 77,
            key: "12345".into(),
            raw_key: "RMA00012345".into(),
            time: Some(1_700_000_000),
            raw_time: Some("2026-11-02 05:30:00".into()),
            state: Some(4),
            raw_state: Some("CREDITED".into()),
            amount: Some("49.9".into()),
            raw_amount: None,
            currency: Some("USD".into()),
            id: None,
            identity: Some("104200".into()),
            file: "captures/erp/a.ndjson".into(),
            line: Some(12),
            findings: 2,
            ambiguous_time: true,
        };
        let e = Encoded::new(&m, 0);
        let back = decode(e.key, e.time, e.seq, m.file.clone(), &e.record).unwrap();
        assert_eq!(back, m);
        assert!(
            decode(
                "k".into(),
                None,
                1,
                String::new(),
                &e.record[..e.record.len() - 1]
            )
            .is_none()
        );
        let bare = Message {
            state: None,
            line: None,
            time: None,
            raw_time: None,
            ambiguous_time: false,
            ..m
        };
        let e = Encoded::new(&bare, 5);
        assert_eq!(
            decode(e.key, e.time, e.seq, bare.file.clone(), &e.record).unwrap(),
            bare
        );
    }
}
