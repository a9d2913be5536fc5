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
    // 3: personal data minimized at rest. Identity and phone numbers only as
    // keyed hashes (`crate::secrets`), codes as keyed hashes until they expire,
    // no SMS text or code (the inbox lives in memory), no code-unit seeds or
    // bank data (the population file is their source), no face-provider key
    // (derived from the server secret), idempotency entries scoped to their
    // caller with a keyed request check and no stored body holding a secret.
    // The old tables held all of that in clear: they are dropped, not migrated.
    "DROP TABLE persons; DROP TABLE sessions; DROP TABLE sms; DROP TABLE idempotency;
     DROP TABLE devices; DROP TABLE secrets;
     CREATE TABLE persons (nin_mac TEXT PRIMARY KEY, data TEXT NOT NULL);
     CREATE TABLE sessions (id TEXT PRIMARY KEY, nin_mac TEXT NOT NULL, created_at INTEGER NOT NULL,
                            touched_at INTEGER NOT NULL, data TEXT NOT NULL);
     CREATE INDEX sessions_nin ON sessions(nin_mac, created_at);
     CREATE INDEX sessions_touched ON sessions(touched_at);
     CREATE TABLE sms (id INTEGER PRIMARY KEY, pair_mac TEXT NOT NULL, phone_mac TEXT NOT NULL,
                       delivered INTEGER NOT NULL, sent_at INTEGER NOT NULL);
     CREATE INDEX sms_pair ON sms(pair_mac, sent_at);
     CREATE INDEX sms_phone ON sms(phone_mac, sent_at);
     CREATE INDEX sms_sent ON sms(sent_at);
     CREATE TABLE idempotency (id TEXT PRIMARY KEY, request_mac TEXT NOT NULL, status INTEGER NOT NULL,
                               body TEXT, created_at INTEGER NOT NULL, session_id TEXT);
     CREATE INDEX idempotency_created ON idempotency(created_at);
     CREATE INDEX idempotency_session ON idempotency(session_id);
     CREATE TABLE devices (id TEXT PRIMARY KEY, nin_mac TEXT NOT NULL, spki TEXT NOT NULL, biometric_spki TEXT,
                           push_platform TEXT, push_token TEXT, agreement_id TEXT, agreement_signature TEXT,
                           activated_at INTEGER NOT NULL, revoked_at INTEGER);
     CREATE INDEX devices_nin ON devices(nin_mac);",
    // 4: SMS quotas count per client (the keyed hash of the address that
    // started the session), so a stranger's sends never use up the owner's.
    "ALTER TABLE sms ADD COLUMN client_mac TEXT NOT NULL DEFAULT '';
     CREATE INDEX sms_client ON sms(client_mac, sent_at);",
];

/// Opens (or creates) the database and brings the schema up to date.
pub fn open(path: Option<&std::path::Path>) -> rusqlite::Result<Connection> {
    let mut conn = match path {
        Some(p) => Connection::open(p)?,
        None => Connection::open_in_memory()?,
    };
    // Deleted rows (expired codes, pruned sessions) are overwritten, not left in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // `aktiver-sim sandbox reset` may write while the server runs.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
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

/// What the bank knows of a person: the population file is its source and it
/// lives in memory only (so no code-unit seed or phone number is written to disk).
pub struct PersonInfo {
    pub nin: String,
    pub phone: String,
    pub bank: String,
    pub methods: Vec<Method>,
    pub code_unit_secret: Option<zeroize::Zeroizing<Vec<u8>>>,
    /// The simulated face-check provider's verdict for this person.
    pub face_check_pass: bool,
    /// The Argon2id hash of the population's password, the state a person
    /// starts from (and returns to after `reset_person`).
    pub initial_password_hash: Option<String>,
}

impl std::fmt::Debug for PersonInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonInfo")
            .field("bank", &self.bank)
            .finish_non_exhaustive()
    }
}

/// The counters and secrets the rules keep for a person, stored under the
/// keyed hash of the identity number.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct PersonState {
    /// Argon2id PHC string; nothing else of a password is ever stored.
    pub password_hash: Option<String>,
    pub wrong_password: u32,
    pub wrong_otp: u32,
    pub bankid_suspended: bool,
    /// The open activation code from the online bank: (keyed hash, expires_at).
    #[serde(default)]
    pub activation_code: Option<(String, i64)>,
    /// The TOTP time step of the last code-unit code accepted: a code is used once.
    #[serde(default)]
    pub otp_last_step: i64,
}

/// A person as a request sees it: the bank's data and the stored state.
pub struct PersonRec {
    pub nin_mac: String,
    pub info: std::sync::Arc<PersonInfo>,
    pub st: PersonState,
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

/// The number given at the phone step, as the SMS step needs it and no more:
/// keyed hashes for the quotas, the masked form for the code screen, and
/// whether it is the registered phone. Nothing at rest holds the number: a
/// resend to the registered phone takes it from the bank's record in memory,
/// and to any other number nothing is delivered.
#[derive(Clone, Serialize, Deserialize)]
pub struct SmsTarget {
    pub pair_mac: String,
    pub phone_mac: String,
    pub masked: String,
    pub registered: bool,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct SmsRec {
    /// Keyed hash of the code; `None` when no code was sent (the number
    /// given is not the registered one: the answer looks the same).
    pub code_mac: Option<String>,
    pub sent_at: i64,
    pub expires_at: i64,
    pub wrong: u32,
    pub invalidated: bool,
}

/// What a challenge may be used for: each has one purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengePurpose {
    /// 8 bytes for the chip's active authentication at the `id_check` step.
    ActiveAuthentication,
    /// 32 bytes for a device or biometric key's proof of possession.
    KeyPossession,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct ChallengeRec {
    pub b64: String,
    pub until: i64,
    pub purpose: ChallengePurpose,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct SessionRec {
    pub id: String,
    pub nin_mac: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub state: SessionState,
    pub suspended_until: i64,
    pub step: Step,
    /// The SMS code was verified: the caller holds the registered phone.
    /// Until then the session blocks nobody and reveals nothing.
    #[serde(default)]
    pub possession_proved: bool,
    /// Keyed hash of the address that started the session: the SMS quotas
    /// count per client.
    #[serde(default)]
    pub client_mac: String,
    /// Where the SMS step sends its codes (without the number itself), kept
    /// only until the SMS code is verified.
    #[serde(default)]
    pub sms_to: Option<SmsTarget>,
    pub sms: Option<SmsRec>,
    pub sms_wrong_total: u32,
    pub methods: Vec<Method>,
    pub method: Option<Method>,
    pub challenge: Option<ChallengeRec>,
    pub device_id: Option<String>,
    pub device_spki: Option<String>,
    pub replaced_previous: bool,
    pub password_set: bool,
    /// The new password's Argon2id hash: it takes effect with the activation.
    #[serde(default)]
    pub new_password_hash: Option<String>,
    #[serde(default)]
    pub password_changes: u32,
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

/// The stored state of a person, `None` if nothing is stored yet.
pub fn get_person_state(conn: &Connection, nin_mac: &str) -> rusqlite::Result<Option<PersonState>> {
    let s: Option<String> = conn
        .query_row(
            "SELECT data FROM persons WHERE nin_mac = ?1",
            [nin_mac],
            |r| r.get(0),
        )
        .optional()?;
    s.map(|s| from_json(&s)).transpose()
}

pub fn put_person_state(conn: &Connection, nin_mac: &str, p: &PersonState) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO persons (nin_mac, data) VALUES (?1, ?2) ON CONFLICT(nin_mac) DO UPDATE SET data = excluded.data",
        params![nin_mac, to_json(p)?],
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

pub fn put_session(conn: &Connection, s: &SessionRec, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sessions (id, nin_mac, created_at, touched_at, data) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET data = excluded.data, touched_at = excluded.touched_at",
        params![s.id, s.nin_mac, s.created_at, now, to_json(s)?],
    )?;
    Ok(())
}

/// Sessions of one person created at or after `since`, newest first.
pub fn sessions_of(
    conn: &Connection,
    nin_mac: &str,
    since: i64,
) -> rusqlite::Result<Vec<SessionRec>> {
    let mut st = conn.prepare(
        "SELECT data FROM sessions WHERE nin_mac = ?1 AND created_at >= ?2 ORDER BY created_at DESC",
    )?;
    let rows = st.query_map(params![nin_mac, since], |r| r.get::<_, String>(0))?;
    rows.map(|r| r.and_then(|s| from_json(&s))).collect()
}

/// Records an SMS attempt for the rate limits (no number, no code, no text).
pub fn insert_sms(
    conn: &Connection,
    pair_mac: &str,
    phone_mac: &str,
    client_mac: &str,
    delivered: bool,
    at: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sms (pair_mac, phone_mac, client_mac, delivered, sent_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![pair_mac, phone_mac, client_mac, delivered, at],
    )?;
    Ok(())
}

/// Attempts for one (identity number, phone) pair since `since`: (count, oldest).
pub fn sms_count_by_pair(
    conn: &Connection,
    pair_mac: &str,
    client_mac: &str,
    since: i64,
) -> rusqlite::Result<(u32, Option<i64>)> {
    conn.query_row(
        "SELECT COUNT(*), MIN(sent_at) FROM sms WHERE pair_mac = ?1 AND client_mac = ?2 AND sent_at >= ?3",
        params![pair_mac, client_mac, since],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Messages actually delivered to one phone since `since`: (count, oldest).
/// Messages delivered to one phone since `since` at the request of one
/// client (`Some`) or of all clients (`None`): (count, oldest).
pub fn sms_count_by_phone(
    conn: &Connection,
    phone_mac: &str,
    client_mac: Option<&str>,
    since: i64,
) -> rusqlite::Result<(u32, Option<i64>)> {
    conn.query_row(
        "SELECT COUNT(*), MIN(sent_at) FROM sms WHERE phone_mac = ?1 AND delivered = 1 AND sent_at >= ?2
         AND (?3 IS NULL OR client_mac = ?3)",
        params![phone_mac, since, client_mac],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// A stored idempotent answer: (request MAC, status, body). The body is
/// `None` for calls whose answer holds a secret: those are not replayed.
pub type IdemEntry = (String, u16, Option<String>);

pub fn idem_get(conn: &Connection, id: &str) -> rusqlite::Result<Option<IdemEntry>> {
    conn.query_row(
        "SELECT request_mac, status, body FROM idempotency WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

#[allow(clippy::too_many_arguments)]
pub fn idem_put(
    conn: &Connection,
    id: &str,
    request_mac: &str,
    status: u16,
    body: Option<&str>,
    at: i64,
    session_id: Option<&str>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO idempotency (id, request_mac, status, body, created_at, session_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, request_mac, status, body, at, session_id],
    )?;
    Ok(())
}

/// Deletes stored answers created before `before`; returns how many.
pub fn idem_prune(conn: &Connection, before: i64) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM idempotency WHERE created_at < ?1", [before])
}

/// Deletes every stored answer of one session.
pub fn idem_delete_session(conn: &Connection, session_id: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM idempotency WHERE session_id = ?1",
        [session_id],
    )
}

pub fn idem_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COUNT(*) FROM idempotency", [], |r| r.get(0))
}

/// Deletes what no rule needs any more: SMS attempts older than the rate
/// window, sessions untouched since `sessions_before` (finished, cancelled or
/// expired ones: a live session is touched by every call). Returns rows deleted.
pub fn prune(conn: &Connection, sms_before: i64, sessions_before: i64) -> rusqlite::Result<usize> {
    let a = conn.execute("DELETE FROM sms WHERE sent_at < ?1", [sms_before])?;
    let b = conn.execute(
        "DELETE FROM sessions WHERE touched_at < ?1",
        [sessions_before],
    )?;
    Ok(a + b)
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
        "UPDATE devices SET revoked_at = ?1 WHERE nin_mac = ?2 AND revoked_at IS NULL",
        params![at, s.nin_mac],
    )?;
    let (platform, token) = match &s.push {
        Some((p, t)) => (
            Some(match p {
                PushPlatform::Fcm => "fcm",
                PushPlatform::Apns => "apns",
            }),
            Some(t.clone()),
        ),
        None => (None, None),
    };
    conn.execute(
        "INSERT INTO devices (id, nin_mac, spki, biometric_spki, push_platform, push_token, agreement_id, agreement_signature, activated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![device_id, s.nin_mac, spki, s.biometric_spki, platform, token, agreement_id, signature, at],
    )?;
    Ok(revoked > 0)
}

/// Active devices of a person (for tests and the load driver's audit).
pub fn active_devices(conn: &Connection, nin_mac: &str) -> rusqlite::Result<Vec<String>> {
    let mut st =
        conn.prepare("SELECT id FROM devices WHERE nin_mac = ?1 AND revoked_at IS NULL")?;
    let rows = st.query_map([nin_mac], |r| r.get(0))?;
    rows.collect()
}

/// Deletes a person's stored state, sessions and devices; returns rows deleted.
pub fn forget_person(conn: &Connection, nin_mac: &str) -> rusqlite::Result<usize> {
    let mut n = conn.execute("DELETE FROM persons WHERE nin_mac = ?1", [nin_mac])?;
    n += conn.execute(
        "DELETE FROM idempotency WHERE session_id IN (SELECT id FROM sessions WHERE nin_mac = ?1)",
        [nin_mac],
    )?;
    n += conn.execute("DELETE FROM sessions WHERE nin_mac = ?1", [nin_mac])?;
    n += conn.execute("DELETE FROM devices WHERE nin_mac = ?1", [nin_mac])?;
    Ok(n)
}
