//! SQLite state with numbered migrations (`PRAGMA user_version`).
//!
//! Sessions and persons are stored as JSON documents keyed by id: the record
//! types evolve quickly and the sandbox never queries inside them.
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use aktiver_protocol::{Method, PushPlatform, Step};

const MIGRATIONS: &[&str] = &[
    // 1: initial schema
    "CREATE TABLE persons (nin TEXT PRIMARY KEY, data TEXT NOT NULL);
     CREATE TABLE sessions (id TEXT PRIMARY KEY, nin TEXT NOT NULL, created_at INTEGER NOT NULL, data TEXT NOT NULL);
     CREATE INDEX sessions_nin ON sessions(nin, created_at);
     CREATE TABLE sms (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, nin TEXT NOT NULL, phone TEXT NOT NULL,
                       code TEXT NOT NULL, text TEXT NOT NULL, sent_at INTEGER NOT NULL);
     CREATE INDEX sms_phone ON sms(phone, sent_at);
     CREATE INDEX sms_nin ON sms(nin, sent_at);
     CREATE TABLE idempotency (key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, status INTEGER NOT NULL,
                               body TEXT NOT NULL, created_at INTEGER NOT NULL);
     CREATE TABLE devices (id TEXT PRIMARY KEY, nin TEXT NOT NULL, spki TEXT NOT NULL, biometric_spki TEXT,
                           push_platform TEXT, push_token TEXT, agreement_id TEXT, agreement_signature TEXT,
                           activated_at INTEGER NOT NULL, revoked_at INTEGER);
     CREATE INDEX devices_nin ON devices(nin);",
    // 2: idempotency answers carry the session they belong to (so a failed ID
    // check can delete them) and are pruned by age; the service's own keys.
    "ALTER TABLE idempotency ADD COLUMN scope TEXT;
     CREATE INDEX idempotency_created ON idempotency(created_at);
     CREATE INDEX idempotency_scope ON idempotency(scope);
     CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);",
];

/// Opens (or creates) the database and brings the schema up to date.
pub fn open(path: Option<&std::path::Path>) -> rusqlite::Result<Connection> {
    let mut conn = match path {
        Some(p) => Connection::open(p)?,
        None => Connection::open_in_memory()?,
    };
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// A person's record: the bank's static data plus the counters the rules keep.
#[derive(Clone, Serialize, Deserialize)]
pub struct PersonRec {
    pub nin: String,
    pub phone: String,
    pub bank: String,
    pub methods: Vec<Method>,
    pub code_unit_secret: Option<String>,
    pub password_hash: Option<String>,
    pub wrong_password: u32,
    pub wrong_otp: u32,
    pub bankid_suspended: bool,
    /// The open activation code from the online bank: (code, expires_at).
    #[serde(default)]
    pub activation_code: Option<(String, i64)>,
    /// The simulated face-check provider's verdict for this person.
    #[serde(default = "yes")]
    pub face_check_pass: bool,
}

fn yes() -> bool {
    true
}

/// What a passed ID check leaves behind: no document data, only the facts.
#[derive(Clone, Serialize, Deserialize)]
pub struct IdCheckRec {
    pub verified_at: i64,
    /// The chip's signature over the server's challenge verified.
    pub active_authentication: bool,
    /// The reader's chip-authentication claim (`ca`, `pace_cam`), not verifiable here.
    pub chip_authentication_claim: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    Active,
    Cancelled,
    Suspended,
    Complete,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct SmsRec {
    pub code: String,
    pub sent_at: i64,
    pub expires_at: i64,
    pub wrong: u32,
    pub invalidated: bool,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct SessionRec {
    pub id: String,
    pub nin: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub state: SessionState,
    pub suspended_until: i64,
    pub step: Step,
    pub phone: Option<String>,
    pub phone_wrong: u32,
    pub sms: Option<SmsRec>,
    pub sms_wrong_total: u32,
    pub methods: Vec<Method>,
    pub method: Option<Method>,
    pub challenge: Option<(String, i64)>,
    pub device_id: Option<String>,
    pub device_spki: Option<String>,
    pub replaced_previous: bool,
    pub password_set: bool,
    pub push: Option<(PushPlatform, String)>,
    pub biometric_spki: Option<String>,
    #[serde(default)]
    pub id_check: Option<IdCheckRec>,
    #[serde(default)]
    pub id_check_failures: u32,
}

fn to_json<T: Serialize>(v: &T) -> rusqlite::Result<String> {
    serde_json::to_string(v).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn from_json<T: for<'de> Deserialize<'de>>(s: &str) -> rusqlite::Result<T> {
    serde_json::from_str(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub fn get_person(conn: &Connection, nin: &str) -> rusqlite::Result<Option<PersonRec>> {
    let s: Option<String> = conn
        .query_row("SELECT data FROM persons WHERE nin = ?1", [nin], |r| {
            r.get(0)
        })
        .optional()?;
    s.map(|s| from_json(&s)).transpose()
}

pub fn put_person(conn: &Connection, p: &PersonRec) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO persons (nin, data) VALUES (?1, ?2) ON CONFLICT(nin) DO UPDATE SET data = excluded.data",
        params![p.nin, to_json(p)?],
    )?;
    Ok(())
}

pub fn get_session(conn: &Connection, id: &str) -> rusqlite::Result<Option<SessionRec>> {
    let s: Option<String> = conn
        .query_row("SELECT data FROM sessions WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    s.map(|s| from_json(&s)).transpose()
}

pub fn put_session(conn: &Connection, s: &SessionRec) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sessions (id, nin, created_at, data) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(id) DO UPDATE SET data = excluded.data",
        params![s.id, s.nin, s.created_at, to_json(s)?],
    )?;
    Ok(())
}

/// Sessions of one person created at or after `since`, newest first.
pub fn sessions_of(conn: &Connection, nin: &str, since: i64) -> rusqlite::Result<Vec<SessionRec>> {
    let mut st = conn.prepare(
        "SELECT data FROM sessions WHERE nin = ?1 AND created_at >= ?2 ORDER BY created_at DESC",
    )?;
    let rows = st.query_map(params![nin, since], |r| r.get::<_, String>(0))?;
    rows.map(|r| r.and_then(|s| from_json(&s))).collect()
}

pub fn insert_sms(
    conn: &Connection,
    session_id: &str,
    nin: &str,
    phone: &str,
    code: &str,
    text: &str,
    at: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sms (session_id, nin, phone, code, text, sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![session_id, nin, phone, code, text, at],
    )?;
    Ok(())
}

pub fn sms_count_by_nin(
    conn: &Connection,
    nin: &str,
    since: i64,
) -> rusqlite::Result<(u32, Option<i64>)> {
    conn.query_row(
        "SELECT COUNT(*), MIN(sent_at) FROM sms WHERE nin = ?1 AND sent_at >= ?2",
        params![nin, since],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

pub fn sms_count_by_phone(
    conn: &Connection,
    phone: &str,
    since: i64,
) -> rusqlite::Result<(u32, Option<i64>)> {
    conn.query_row(
        "SELECT COUNT(*), MIN(sent_at) FROM sms WHERE phone = ?1 AND sent_at >= ?2",
        params![phone, since],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// (phone, text, code, sent_at), newest first.
pub fn inbox(
    conn: &Connection,
    phone: Option<&str>,
    limit: u32,
) -> rusqlite::Result<Vec<(String, String, String, i64)>> {
    let mut st = conn.prepare(
        "SELECT phone, text, code, sent_at FROM sms WHERE (?1 IS NULL OR phone = ?1) ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = st.query_map(params![phone, limit], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    rows.collect()
}

pub fn idem_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<(String, u16, String)>> {
    conn.query_row(
        "SELECT request_hash, status, body FROM idempotency WHERE key = ?1",
        [key],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

#[allow(clippy::too_many_arguments)]
pub fn idem_put(
    conn: &Connection,
    key: &str,
    hash: &str,
    status: u16,
    body: &str,
    at: i64,
    scope: Option<&str>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO idempotency (key, request_hash, status, body, created_at, scope) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![key, hash, status, body, at, scope],
    )?;
    Ok(())
}

/// Deletes stored answers created before `before`; returns how many.
pub fn idem_prune(conn: &Connection, before: i64) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM idempotency WHERE created_at < ?1", [before])
}

/// Deletes every stored answer of one session.
pub fn idem_delete_scope(conn: &Connection, scope: &str) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM idempotency WHERE scope = ?1", [scope])
}

pub fn idem_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COUNT(*) FROM idempotency", [], |r| r.get(0))
}

/// A secret the service keeps (its face-check provider key), created on first use.
pub fn secret_or_insert(
    conn: &Connection,
    name: &str,
    make: impl FnOnce() -> Option<Vec<u8>>,
) -> rusqlite::Result<Option<Vec<u8>>> {
    let existing: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?;
    if existing.is_some() {
        return Ok(existing);
    }
    let Some(v) = make() else { return Ok(None) };
    conn.execute(
        "INSERT INTO secrets (name, value) VALUES (?1, ?2)",
        params![name, v],
    )?;
    Ok(Some(v))
}

/// Activates a device for `nin`, revoking any active one; returns whether one was revoked.
#[allow(clippy::too_many_arguments)]
pub fn activate_device(
    conn: &Connection,
    s: &SessionRec,
    device_id: &str,
    spki: &str,
    agreement_id: &str,
    signature: &str,
    at: i64,
) -> rusqlite::Result<bool> {
    let revoked = conn.execute(
        "UPDATE devices SET revoked_at = ?1 WHERE nin = ?2 AND revoked_at IS NULL",
        params![at, s.nin],
    )?;
    let (platform, token) = match &s.push {
        Some((p, t)) => (Some(format!("{p:?}").to_lowercase()), Some(t.clone())),
        None => (None, None),
    };
    conn.execute(
        "INSERT INTO devices (id, nin, spki, biometric_spki, push_platform, push_token, agreement_id, agreement_signature, activated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![device_id, s.nin, spki, s.biometric_spki, platform, token, agreement_id, signature, at],
    )?;
    Ok(revoked > 0)
}

/// Active devices of a person (for tests and the load driver's audit).
pub fn active_devices(conn: &Connection, nin: &str) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare("SELECT id FROM devices WHERE nin = ?1 AND revoked_at IS NULL")?;
    let rows = st.query_map([nin], |r| r.get(0))?;
    rows.collect()
}
