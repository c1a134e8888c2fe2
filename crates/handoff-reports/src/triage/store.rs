//! The history database: every `handoff triage --record` and `handoff check --record` run, so
//! the weekly review sees each pattern's trend across runs, and a pattern that comes back after
//! its contract changed version (the fix did not hold) is flagged.
//!
//! SQLite (rusqlite, bundled: no system library), `.handoff/history.db` by default. The schema
//! version is SQLite's `user_version`; migrations run in a transaction, in order. A database
//! from a newer handoff, or a file that is not one, is a clear error and is never written.
//! Concurrent writers are safe: WAL journaling, a busy timeout, one transaction per run.

use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// The schema this handoff writes; migrations bring older databases up to it.
pub const SCHEMA_VERSION: i64 = 3;

const MIGRATIONS: &[&str] = &[
    // 1: runs, triage patterns, check groups.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('triage', 'check')),
        recorded_at TEXT NOT NULL,
        source TEXT NOT NULL,
        rows INTEGER NOT NULL
    );
    CREATE TABLE patterns (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        error_code TEXT NOT NULL,
        signature TEXT NOT NULL,
        contracts TEXT NOT NULL,
        count INTEGER NOT NULL,
        hours_per_week REAL
    );
    CREATE INDEX patterns_by_key ON patterns (error_code, signature);
    CREATE TABLE check_groups (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        contract TEXT NOT NULL,
        field TEXT NOT NULL,
        kind TEXT NOT NULL,
        count INTEGER NOT NULL
    );",
    // 2: reconcile runs and their gaps by boundary pair and kind. SQLite cannot change a CHECK
    // constraint in place, so `runs` is rebuilt with the new kind allowed.
    "CREATE TABLE runs_v2 (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('triage', 'check', 'reconcile')),
        recorded_at TEXT NOT NULL,
        source TEXT NOT NULL,
        rows INTEGER NOT NULL
    );
    INSERT INTO runs_v2 (id, kind, recorded_at, source, rows)
        SELECT id, kind, recorded_at, source, rows FROM runs;
    DROP TABLE runs;
    ALTER TABLE runs_v2 RENAME TO runs;
    CREATE TABLE reconcile_gaps (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        flow TEXT NOT NULL,
        as_of TEXT NOT NULL,
        pair TEXT NOT NULL,
        kind TEXT NOT NULL,
        count INTEGER NOT NULL,
        entities_with_gaps INTEGER NOT NULL
    );
    CREATE INDEX reconcile_gaps_by_flow ON reconcile_gaps (flow, kind);",
    // 3: repair proposals waiting behind the review gate, and what was decided about each
    // (triage/review.rs). A payload is proposed once per contract version: the unique index.
    // Sensitive fields' values are not stored; the patch's digest stands for them.
    "CREATE TABLE proposals (
        id INTEGER PRIMARY KEY,
        proposed_at TEXT NOT NULL,
        contract TEXT NOT NULL,
        source TEXT NOT NULL,
        line INTEGER,
        payload_sha256 TEXT NOT NULL,
        signature TEXT NOT NULL,
        rules TEXT NOT NULL,
        fixes TEXT NOT NULL,
        patch_sha256 TEXT NOT NULL,
        excerpt TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'applying', 'approved', 'rejected')),
        decided_by TEXT,
        decided_at TEXT,
        why TEXT,
        outcome TEXT
    );
    CREATE UNIQUE INDEX proposals_once
        ON proposals (contract, source, ifnull(line, 0), payload_sha256);
    CREATE INDEX proposals_by_signature ON proposals (signature, proposed_at);",
];

/// An open history database.
pub struct Store {
    pub(crate) db: Connection,
    /// The file's name as reports show it: an error while reading says which file.
    shown: String,
}

/// One pattern of a recorded triage run.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternRow {
    pub error_code: String,
    pub signature: String,
    /// The contract versions its exceptions were checked against (`id@1.2.0`, sorted, joined).
    pub contracts: String,
    pub count: u64,
    pub hours_per_week: Option<f64>,
}

/// One boundary pair's count of one gap kind in a reconcile run.
#[derive(Debug, Clone, PartialEq)]
pub struct GapRow {
    pub pair: String,
    pub kind: String,
    pub count: u64,
}

/// A gap count of the latest reconcile run of a flow.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedGap {
    pub flow: String,
    pub as_of: String,
    pub pair: String,
    pub kind: String,
    pub count: u64,
}

/// A pattern's count in an earlier run.
#[derive(Debug, Clone, PartialEq)]
pub struct Earlier {
    pub recorded_at: String,
    pub count: u64,
    pub contracts: String,
}

/// How long opening the database waits for another process that holds it.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The database is held by another connection (not damaged).
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl Store {
    /// Open (creating it and its directory if needed) and migrate the database at `path`.
    pub fn open(path: &Path) -> Result<Store, String> {
        let shown = handoff_core::escape::text(&path.display().to_string()).into_owned();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let db = Connection::open(path).map_err(|e| format!("cannot open {shown}: {e}"))?;
        let not_ours = |e: rusqlite::Error| {
            format!(
                "{shown} is not a handoff history database, or it is damaged ({e}); it was left as it is"
            )
        };
        db.busy_timeout(BUSY_WAIT).map_err(not_ours)?;
        // SQLite answers "locked" without waiting while another process sets up the write-ahead
        // log of a new database (its busy handler is not asked then): several first runs at once
        // wait their turn here instead of failing.
        let started = std::time::Instant::now();
        let version = loop {
            let opened = db
                .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
                .and_then(|version| {
                    if version <= SCHEMA_VERSION {
                        db.pragma_update(None, "journal_mode", "WAL")?;
                    }
                    Ok(version)
                });
            match opened {
                Ok(version) => break version,
                Err(e) if is_busy(&e) && started.elapsed() < BUSY_WAIT => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) if is_busy(&e) => {
                    return Err(format!(
                        "{shown} is in use: another process has held it for {} s ({e}); try again when it is done",
                        BUSY_WAIT.as_secs()
                    ));
                }
                Err(e) => return Err(not_ours(e)),
            }
        };
        if version > SCHEMA_VERSION {
            return Err(format!(
                "{shown} was written by a newer handoff (history schema {version}; this one reads up to {SCHEMA_VERSION}); it was left as it is"
            ));
        }
        let mut store = Store {
            db,
            shown: shown.clone(),
        };
        if version < SCHEMA_VERSION {
            store.migrate(&shown)?;
        }
        Ok(store)
    }

    /// Bring the database to [`SCHEMA_VERSION`]: every migration it lacks in one transaction,
    /// taken with the write lock first, so that of several processes opening a new or old
    /// database at once one migrates and the others see its result. A migration that fails
    /// rolls back whole and leaves the file as it was.
    fn migrate(&mut self, shown: &str) -> Result<(), String> {
        // Rebuilding a table that others reference needs foreign keys off (SQLite ignores the
        // pragma inside a transaction); they are checked before the commit instead.
        self.db
            .pragma_update(None, "foreign_keys", false)
            .map_err(|e| format!("cannot open {shown}: {e}"))?;
        let result = self.migrate_locked(shown);
        let restored = self.db.pragma_update(None, "foreign_keys", true);
        result?;
        restored.map_err(|e| format!("cannot open {shown}: {e}"))
    }

    fn migrate_locked(&mut self, shown: &str) -> Result<(), String> {
        let tx = self
            .db
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| {
                format!("cannot lock {shown} to bring its history schema up to date: {e}")
            })?;
        // Read again under the lock: another process may have migrated meanwhile.
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| format!("cannot read {shown}: {e}"))?;
        if version > SCHEMA_VERSION {
            return Err(format!(
                "{shown} was written by a newer handoff (history schema {version}; this one reads up to {SCHEMA_VERSION}); it was left as it is"
            ));
        }
        if version == 0 {
            // A database with tables but no version is someone else's.
            let tables: i64 = tx
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(|e| format!("cannot read {shown}: {e}"))?;
            if tables > 0 {
                return Err(format!(
                    "{shown} is not a handoff history database (it has tables but no history schema version); it was left as it is"
                ));
            }
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(|e| {
                format!(
                    "cannot bring {shown} from history schema {version} to {SCHEMA_VERSION}: step {} failed ({e}); nothing was changed, the file is as it was",
                    i + 1
                )
            })?;
        }
        let dangling: i64 = tx
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .map_err(|e| format!("cannot check {shown}: {e}"))?;
        if dangling > 0 {
            return Err(format!(
                "cannot bring {shown} from history schema {version} to {SCHEMA_VERSION}: {dangling} rows would refer to runs that are not there; nothing was changed, the file is as it was"
            ));
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .and_then(|()| tx.commit())
            .map_err(|e| format!("cannot update {shown}: {e}; nothing was changed"))
    }

    /// Record a triage run: its patterns, in one transaction.
    pub fn record_triage(
        &mut self,
        recorded_at: &str,
        source: &str,
        rows: u64,
        patterns: &[PatternRow],
    ) -> Result<(), String> {
        let tx = self.db.transaction().map_err(|e| e.to_string())?;
        tx.execute(
            "INSERT INTO runs (kind, recorded_at, source, rows) VALUES ('triage', ?1, ?2, ?3)",
            params![recorded_at, source, rows as i64],
        )
        .map_err(|e| e.to_string())?;
        let run = tx.last_insert_rowid();
        for p in patterns {
            tx.execute(
                "INSERT INTO patterns (run_id, error_code, signature, contracts, count, hours_per_week) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![run, p.error_code, p.signature, p.contracts, p.count as i64, p.hours_per_week],
            )
            .map_err(|e| e.to_string())?;
        }
        tx.commit().map_err(|e| e.to_string())
    }

    /// Record a check run's violations by contract, field and kind.
    pub fn record_check(
        &mut self,
        recorded_at: &str,
        source: &str,
        payloads: u64,
        groups: &[(String, String, String, u64)],
    ) -> Result<(), String> {
        let tx = self.db.transaction().map_err(|e| e.to_string())?;
        tx.execute(
            "INSERT INTO runs (kind, recorded_at, source, rows) VALUES ('check', ?1, ?2, ?3)",
            params![recorded_at, source, payloads as i64],
        )
        .map_err(|e| e.to_string())?;
        let run = tx.last_insert_rowid();
        for (contract, field, kind, count) in groups {
            tx.execute(
                "INSERT INTO check_groups (run_id, contract, field, kind, count) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![run, contract, field, kind, *count as i64],
            )
            .map_err(|e| e.to_string())?;
        }
        tx.commit().map_err(|e| e.to_string())
    }

    /// Record a reconcile run: its gaps by boundary pair and kind, in one transaction. `rows` is
    /// the number of messages read.
    pub fn record_reconcile(
        &mut self,
        recorded_at: &str,
        flow: &str,
        as_of: &str,
        messages: u64,
        entities_with_gaps: u64,
        gaps: &[GapRow],
    ) -> Result<(), String> {
        let tx = self.db.transaction().map_err(|e| e.to_string())?;
        tx.execute(
            "INSERT INTO runs (kind, recorded_at, source, rows) VALUES ('reconcile', ?1, ?2, ?3)",
            params![recorded_at, flow, messages as i64],
        )
        .map_err(|e| e.to_string())?;
        let run = tx.last_insert_rowid();
        for g in gaps {
            tx.execute(
                "INSERT INTO reconcile_gaps (run_id, flow, as_of, pair, kind, count, entities_with_gaps) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![run, flow, as_of, g.pair, g.kind, g.count as i64, entities_with_gaps as i64],
            )
            .map_err(|e| e.to_string())?;
        }
        tx.commit().map_err(|e| e.to_string())
    }

    /// The gaps of the latest reconcile run of each flow, most first.
    pub fn latest_gaps(&self) -> Result<Vec<RecordedGap>, String> {
        let mut stmt = self
            .db
            .prepare(
                "SELECT g.flow, g.as_of, g.pair, g.kind, g.count FROM reconcile_gaps g
                 WHERE g.run_id = (SELECT max(run_id) FROM reconcile_gaps h WHERE h.flow = g.flow)
                 ORDER BY g.count DESC, g.flow, g.pair, g.kind",
            )
            .map_err(|e| self.unreadable(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RecordedGap {
                    flow: r.get(0)?,
                    as_of: r.get(1)?,
                    pair: r.get(2)?,
                    kind: r.get(3)?,
                    count: r.get::<_, i64>(4)? as u64,
                })
            })
            .map_err(|e| self.unreadable(e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| self.unreadable(e))
    }

    /// A pattern's counts in earlier triage runs, oldest first.
    pub fn earlier(&self, error_code: &str, signature: &str) -> Result<Vec<Earlier>, String> {
        let mut stmt = self
            .db
            .prepare(
                "SELECT r.recorded_at, p.count, p.contracts FROM patterns p JOIN runs r ON r.id = p.run_id
                 WHERE p.error_code = ?1 AND p.signature = ?2 ORDER BY r.recorded_at, r.id",
            )
            .map_err(|e| self.unreadable(e))?;
        let rows = stmt
            .query_map(params![error_code, signature], |r| {
                Ok(Earlier {
                    recorded_at: r.get(0)?,
                    count: r.get::<_, i64>(1)? as u64,
                    contracts: r.get(2)?,
                })
            })
            .map_err(|e| self.unreadable(e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| self.unreadable(e))
    }

    /// A read that failed, naming the file (a damaged page shows only here, not at open).
    pub(crate) fn unreadable(&self, e: rusqlite::Error) -> String {
        format!(
            "cannot read the history database {}: {e}; it was left as it is",
            self.shown
        )
    }

    /// How many runs of a kind are recorded.
    pub fn runs(&self, kind: &str) -> Result<u64, String> {
        self.db
            .query_row(
                "SELECT count(*) FROM runs WHERE kind = ?1",
                params![kind],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(|n| n.unwrap_or(0) as u64)
            .map_err(|e| self.unreadable(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("handoff-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("history.db")
    }

    #[test]
    fn runs_are_recorded_and_read_back_across_openings() {
        let path = temp("roundtrip");
        let row = |count, contracts: &str| PatternRow {
            error_code: "SKU".into(),
            signature: "orders: /sku pattern_mismatch".into(),
            contracts: contracts.into(),
            count,
            hours_per_week: Some(1.5),
        };
        Store::open(&path)
            .unwrap()
            .record_triage(
                "2026-11-16T00:00:00Z",
                "log.csv",
                10,
                &[row(10, "orders@1.0.0")],
            )
            .unwrap();
        let mut store = Store::open(&path).unwrap();
        store
            .record_triage(
                "2026-11-23T00:00:00Z",
                "log.csv",
                12,
                &[row(12, "orders@1.1.0")],
            )
            .unwrap();
        store
            .record_check(
                "2026-11-23T00:00:00Z",
                "check",
                5,
                &[("orders".into(), "/sku".into(), "pattern_mismatch".into(), 3)],
            )
            .unwrap();
        let earlier = store
            .earlier("SKU", "orders: /sku pattern_mismatch")
            .unwrap();
        assert_eq!(
            earlier.iter().map(|e| e.count).collect::<Vec<_>>(),
            [10, 12]
        );
        assert_eq!(earlier[0].contracts, "orders@1.0.0");
        assert_eq!(
            (store.runs("triage").unwrap(), store.runs("check").unwrap()),
            (2, 1)
        );
    }

    #[test]
    fn a_newer_or_foreign_database_is_refused_and_left_as_it_is() {
        let newer = temp("newer");
        drop(Store::open(&newer).unwrap());
        Connection::open(&newer)
            .unwrap()
            .pragma_update(None, "user_version", 7)
            .unwrap();
        let err = Store::open(&newer).err().unwrap();
        assert!(
            err.contains("written by a newer handoff (history schema 7"),
            "{err}"
        );

        let garbage = temp("garbage");
        std::fs::create_dir_all(garbage.parent().unwrap()).unwrap();
        std::fs::write(&garbage, b"this is not a database, it is a shopping list").unwrap();
        let err = Store::open(&garbage).err().unwrap();
        assert!(
            err.contains("is not a handoff history database, or it is damaged"),
            "{err}"
        );
        assert_eq!(
            std::fs::read(&garbage).unwrap(),
            b"this is not a database, it is a shopping list"
        );

        let foreign = temp("foreign");
        std::fs::create_dir_all(foreign.parent().unwrap()).unwrap();
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE t (x);")
            .unwrap();
        assert!(Store::open(&foreign).is_err());
    }

    #[test]
    fn concurrent_writers_all_land() {
        let path = temp("concurrent");
        drop(Store::open(&path).unwrap());
        std::thread::scope(|s| {
            for i in 0..4 {
                let path = &path;
                s.spawn(move || {
                    let mut store = Store::open(path).unwrap();
                    for j in 0..5 {
                        store
                            .record_check(&format!("2026-11-23T00:00:{i}{j}Z"), "check", 1, &[])
                            .unwrap();
                    }
                });
            }
        });
        assert_eq!(Store::open(&path).unwrap().runs("check").unwrap(), 20);
    }
}
