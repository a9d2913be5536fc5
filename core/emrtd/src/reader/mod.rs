//! The eMRTD reader as a sans-IO state machine.
//!
//! [`Reader`] emits encoded command APDUs and consumes raw responses; it never
//! performs I/O itself. The order of work follows ICAO 9303 Part 11 and what
//! real documents need: EF.CardAccess first (from the master file), PACE if
//! it is offered, BAC only when it is not (or when [`AccessPolicy`] allows
//! BAC after a failed PACE); then the applet's files with the adaptive read
//! strategy of [`files`], chip authentication ([`ca`], its own machine) right
//! after DG14 (it re-keys secure messaging; PACE-CAM replaces it) and active
//! authentication ([`aa`]) after DG15, over the caller's challenge when given.
//! After a lost tag, [`Reader::resume`] re-establishes access control and
//! continues from the last offset. Every APDU passes a step guard, so no chip
//! keeps a read going forever.
//!
//! Seams: `config` (what to read), `outcome` (what a read gives and why it
//! fails), `card_access` (EF.CardAccess and EF.COM), [`files`] (one file),
//! [`ca`] and [`aa`] (the authentication protocols); [`driver`] runs the
//! machine over an async [`Transport`](crate::apdu::Transport).

pub mod aa;
pub mod ca;
mod card_access;
mod config;
pub mod driver;
pub mod files;
mod outcome;

use std::collections::BTreeMap;

use crate::apdu::{CommandApdu, ResponseApdu, Status, StatusWord, TransportLimits};
use crate::bac::{self, BacError, BacReader};
use crate::crypto::{OsRng, Rng};
use crate::pace::{CamEvidence, PaceError, PaceReader, PaceStep, PaceSuite};
use crate::sm::{SmError, SmSession};
use aa::AaReader;
use ca::{CaKey, CaReader, CaStep, ca_key_from_dg14};
pub use card_access::{files_from_com, pace_offered_in_card_access, pace_suites_from_card_access};
pub use config::{AccessPolicy, ReaderConfig};
pub use files::{ChunkPolicy, FileError, FileRead, ReadNext, ReadStrategy};
pub use outcome::{
    AccessProtocol, ActiveAuthEvidence, AuthOutcome, Progress, ReadOutcome, ReadStats, ReaderError,
    Step,
};

/// The eMRTD application identifier.
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
// File identifiers: the LDS's one table.
pub const FID_CARD_ACCESS: u16 = crate::lds::fid::EF_CARD_ACCESS;
pub const FID_COM: u16 = crate::lds::fid::EF_COM;
pub const FID_SOD: u16 = crate::lds::fid::EF_SOD;
pub const FID_DG14: u16 = crate::lds::fid::DG14;
pub const FID_DG15: u16 = crate::lds::fid::DG15;
/// Queue entries that are not files.
const JOB_CA: u16 = 0xFFFE;
const JOB_AA: u16 = 0xFFFF;
/// How often a read may be resumed after a lost tag before giving up.
pub const MAX_RESUMPTIONS: u32 = 8;
/// APDUs in a row that add no file byte before the read is given up: access
/// control takes about 10, a document with every data group missing about
/// 20. A chip that keeps the reader busy without progress ends here.
pub const MAX_APDUS_WITHOUT_PROGRESS: u32 = 64;
/// APDUs in one read, resumptions included: 1 MiB files at the smallest read
/// size stay below it; a chip dribbling out bytes one by one does not.
pub const MAX_APDUS: u32 = 50_000;

enum Phase {
    Start,
    SelectMf,
    SelectCardAccess,
    /// EF.CardAccess is read before secure messaging, with its own read policy
    /// so that its step-downs are remembered across answers.
    ReadCardAccess(FileRead, ChunkPolicy),
    Pace(PaceReader),
    SelectAppletPlain,
    BacChallenge,
    BacAuth(BacReader),
    SelectAppletSm,
    SelectFile(FileRead),
    ReadFile(FileRead),
    ChipAuthentication(CaReader),
    ActiveAuth(AaReader),
    Done,
}

/// The reader state machine. Create with [`Reader::new`], call [`Reader::start`],
/// then feed every answer to [`Reader::on_response`].
pub struct Reader {
    cfg: ReaderConfig,
    rng: Box<dyn Rng + Send>,
    phase: Phase,
    sm: Option<SmSession>,
    access: Option<AccessProtocol>,
    pace_suites: Vec<PaceSuite>,
    /// EF.CardAccess lists PACE (supported or not).
    pace_offered: bool,
    /// The offered suite PACE uses (the next one after MSE:Set AT is refused).
    pace_next: usize,
    card_access: Option<Vec<u8>>,
    card_access_done: bool,
    pace_failed: bool,
    queue: Vec<u16>,
    files: BTreeMap<u16, Vec<u8>>,
    partial: Option<FileRead>,
    policy: Option<ChunkPolicy>,
    ca_key: Option<CaKey>,
    /// PACE-CAM's data, checked against DG14's key once it is read.
    cam: Option<CamEvidence>,
    ca: AuthOutcome,
    aa: AuthOutcome,
    aa_evidence: Option<ActiveAuthEvidence>,
    /// Whether CA re-keyed the session (it must be redone after a resumption).
    ca_done: bool,
    /// CA re-keyed but no answer under the new keys has verified yet.
    ca_unconfirmed: bool,
    stats: ReadStats,
    /// The chip refused an extended-length APDU; never try again in this read.
    chip_rejects_extended: bool,
    /// The largest short read the chip accepted after stepping down (from
    /// EF.CardAccess or an earlier session): new sessions start there
    /// instead of learning it again.
    learned_short: Option<usize>,
    /// Progress frozen when the outcome was handed out.
    final_progress: Option<Progress>,
    /// The plain command behind the outstanding APDU (needed to unwrap odd-INS answers).
    outstanding: Option<CommandApdu>,
    /// APDUs sent since a file last grew (see [`MAX_APDUS_WITHOUT_PROGRESS`]).
    idle_apdus: u32,
    /// File bytes held at the last progress check.
    bytes_seen: usize,
}

impl core::fmt::Debug for Reader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reader")
            .field("access", &self.access)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

fn resp_sw_not_found(resp: &ResponseApdu) -> bool {
    resp.sw == StatusWord::FILE_NOT_FOUND
}

fn select_fid(fid: u16) -> CommandApdu {
    CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(fid.to_be_bytes().to_vec())
}

fn select_applet() -> CommandApdu {
    CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec())
}

fn select_mf() -> CommandApdu {
    CommandApdu::new(0x00, 0xA4, 0x00, 0x0C).with_data(vec![0x3F, 0x00])
}

impl Reader {
    /// A reader drawing randomness from the operating system.
    pub fn new(cfg: ReaderConfig) -> Self {
        Self::with_rng(cfg, Box::new(OsRng))
    }

    /// A reader with a caller-supplied random source (tests).
    pub fn with_rng(cfg: ReaderConfig, rng: Box<dyn Rng + Send>) -> Self {
        let queue = match &cfg.files {
            Some(list) => list.iter().rev().copied().collect(),
            None => vec![FID_COM],
        };
        Self {
            cfg,
            rng,
            phase: Phase::Start,
            sm: None,
            access: None,
            pace_suites: Vec::new(),
            pace_offered: false,
            pace_next: 0,
            card_access: None,
            card_access_done: false,
            pace_failed: false,
            queue,
            files: BTreeMap::new(),
            partial: None,
            policy: None,
            ca_key: None,
            cam: None,
            ca: AuthOutcome::NotPerformed,
            aa: AuthOutcome::NotPerformed,
            aa_evidence: None,
            ca_done: false,
            ca_unconfirmed: false,
            stats: ReadStats::default(),
            outstanding: None,
            final_progress: None,
            chip_rejects_extended: false,
            learned_short: None,
            idle_apdus: 0,
            bytes_seen: 0,
        }
    }

    /// Takes the transport's limits (the driver calls this with what the phone reports).
    pub fn set_limits(&mut self, limits: TransportLimits) {
        self.cfg.limits = limits;
        self.policy = None;
    }

    /// Sets the challenge active authentication signs (the verifier's), e.g.
    /// when the server's challenge arrives after the read began or a resumed
    /// read needs a fresh one. It applies to the next INTERNAL AUTHENTICATE.
    pub fn set_aa_challenge(&mut self, challenge: [u8; 8]) {
        self.cfg.aa_challenge = Some(challenge);
    }

    pub fn stats(&self) -> ReadStats {
        self.stats
    }

    /// Bytes read so far out of the bytes known to be expected.
    pub fn progress(&self) -> Progress {
        if let Some(p) = self.final_progress {
            return p;
        }
        let done: usize = self.files.values().map(Vec::len).sum();
        let (pr, pt) = match self.current_file() {
            Some(f) => (f.data.len(), f.total.unwrap_or(f.data.len())),
            None => (0, 0),
        };
        let queued = self.queue.iter().filter(|j| **j < JOB_CA).count();
        let files_total = self.files.len() + queued + usize::from(self.current_file().is_some());
        Progress {
            bytes_read: done + pr,
            bytes_expected: done + pt,
            files_done: self.files.len(),
            files_total,
        }
    }

    fn current_file(&self) -> Option<&FileRead> {
        match &self.phase {
            Phase::SelectFile(f) | Phase::ReadFile(f) => Some(f),
            _ => self.partial.as_ref(),
        }
    }

    /// The first APDU of a read.
    pub fn start(&mut self) -> Result<Step, ReaderError> {
        self.phase = Phase::Start;
        self.begin_access()
    }

    /// After a lost tag: forget the session and start access control again;
    /// files already read and the current file's bytes are kept.
    pub fn resume(&mut self) -> Result<Step, ReaderError> {
        self.stats.resumptions += 1;
        if self.stats.resumptions > MAX_RESUMPTIONS {
            return Err(ReaderError::TooManyResumptions(self.stats.resumptions));
        }
        match core::mem::replace(&mut self.phase, Phase::Start) {
            Phase::SelectFile(f) | Phase::ReadFile(f) => self.partial = Some(f),
            Phase::ActiveAuth(_) => self.queue.push(JOB_AA),
            Phase::ChipAuthentication(_) => self.queue.push(JOB_CA),
            _ => {}
        }
        self.sm = None;
        self.outstanding = None;
        if self.ca_done {
            // The re-keyed session is gone; redo chip authentication before reading on.
            self.ca_done = false;
            self.ca_unconfirmed = false;
            self.ca = AuthOutcome::NotPerformed;
            self.queue.push(JOB_CA);
        }
        self.begin_access()
    }

    fn begin_access(&mut self) -> Result<Step, ReaderError> {
        if self.cfg.access != AccessPolicy::BacOnly && !self.card_access_done {
            let policy = self.plain_policy();
            if policy.sfi {
                // READ BINARY by SFI saves selecting the MF and the EF.
                let mut f = FileRead::new(FID_CARD_ACCESS);
                let cmd = f.next_command(&policy);
                self.phase = Phase::ReadCardAccess(f, policy);
                return self.send(cmd);
            }
            self.phase = Phase::SelectMf;
            return self.send(select_mf());
        }
        self.after_card_access()
    }

    fn after_card_access(&mut self) -> Result<Step, ReaderError> {
        use AccessPolicy as P;
        let policy = self.cfg.access;
        let suite = match policy {
            P::BacOnly => None,
            _ if self.pace_failed => None,
            _ => self.pace_suites.get(self.pace_next).copied(),
        };
        if let Some(suite) = suite {
            let (p, cmd) = PaceReader::start(&self.cfg.key, suite);
            self.phase = Phase::Pace(p);
            return self.send(cmd);
        }
        match policy {
            P::PaceOnly => Err(ReaderError::PaceUnavailable),
            // BAC only where the chip offers no PACE (or the policy allows the downgrade).
            P::Auto if self.pace_offered => Err(ReaderError::PaceNotSupported),
            P::Auto | P::AutoWithBacFallback | P::BacOnly => {
                self.phase = Phase::SelectAppletPlain;
                self.send(select_applet())
            }
        }
    }

    fn send(&mut self, cmd: CommandApdu) -> Result<Step, ReaderError> {
        self.count_apdu()?;
        let wire = match &mut self.sm {
            Some(sm) => sm.wrap(&cmd)?.encode()?,
            None => cmd.encode()?,
        };
        self.outstanding = Some(cmd);
        self.stats.apdus += 1;
        self.stats.bytes_sent += wire.len() as u64;
        Ok(Step::Transmit(wire))
    }

    /// Bounds the read: every APDU passes here, so no chip behaviour can keep
    /// the reader going forever.
    fn count_apdu(&mut self) -> Result<(), ReaderError> {
        let in_card_access = match &self.phase {
            Phase::ReadCardAccess(f, _) => f.data.len(),
            _ => 0,
        };
        let bytes = self.files.values().map(Vec::len).sum::<usize>()
            + self.current_file().map_or(0, |f| f.data.len())
            + self.card_access.as_ref().map_or(0, Vec::len)
            + in_card_access;
        if bytes > self.bytes_seen {
            self.bytes_seen = bytes;
            self.idle_apdus = 0;
        }
        self.idle_apdus += 1;
        if self.idle_apdus > MAX_APDUS_WITHOUT_PROGRESS {
            return Err(ReaderError::Stalled(self.idle_apdus - 1));
        }
        if self.stats.apdus >= MAX_APDUS {
            return Err(ReaderError::Stalled(self.stats.apdus));
        }
        Ok(())
    }

    /// Consumes the chip's answer to the last transmitted APDU.
    pub fn on_response(&mut self, raw: &[u8]) -> Result<Step, ReaderError> {
        self.stats.bytes_received += raw.len() as u64;
        if self.outstanding.take().is_none() {
            return Err(ReaderError::NotWaiting);
        }
        let resp = match &mut self.sm {
            Some(sm) => match sm.unwrap(raw) {
                Ok(r) => {
                    if self.ca_unconfirmed {
                        self.ca_unconfirmed = false;
                        self.ca = AuthOutcome::Passed;
                    }
                    r
                }
                Err(e) => return self.on_sm_error(e),
            },
            None => ResponseApdu::parse(raw)?,
        };
        let phase = core::mem::replace(&mut self.phase, Phase::Done);
        self.advance(phase, resp)
    }

    fn on_sm_error(&mut self, e: SmError) -> Result<Step, ReaderError> {
        if self.ca_unconfirmed {
            return Err(ReaderError::ChipAuthenticationFailed(
                "the chip cannot answer under the new session keys",
            ));
        }
        match (&self.phase, e) {
            (Phase::ChipAuthentication(_), SmError::Unprotected { sw }) => {
                Err(ReaderError::Refused {
                    step: "chip authentication",
                    sw,
                })
            }
            // A chip that drops secure messaging (6987/6988 in clear) mid-read is
            // handled like a lost tag: start over and continue from the offset.
            (Phase::ReadFile(_) | Phase::SelectFile(_), SmError::Unprotected { sw }) => {
                if matches!(sw.meaning(), Status::WrongLength | Status::WrongLe(_))
                    && self.policy.is_some_and(|p| p.extended)
                {
                    // A chip without extended length may reject the APDU before secure messaging.
                    self.chip_rejects_extended = true;
                    self.policy = None;
                    self.stats.chunk_fallbacks += 1;
                }
                self.resume()
            }
            (_, e) => Err(e.into()),
        }
    }

    fn advance(&mut self, phase: Phase, resp: ResponseApdu) -> Result<Step, ReaderError> {
        match phase {
            Phase::Start | Phase::Done => Err(ReaderError::NotWaiting),
            Phase::SelectMf => {
                // Some chips have no selectable MF; EF.CardAccess may still be readable.
                self.phase = Phase::SelectCardAccess;
                self.send(select_fid(FID_CARD_ACCESS))
            }
            Phase::SelectCardAccess => {
                if !resp.sw.is_success() {
                    self.card_access_done = true;
                    return self.after_card_access();
                }
                let policy = self.plain_policy();
                let mut f = FileRead::new(FID_CARD_ACCESS);
                f.selected = true;
                let cmd = f.next_command(&policy);
                self.phase = Phase::ReadCardAccess(f, policy);
                self.send(cmd)
            }
            Phase::ReadCardAccess(mut f, mut policy) => {
                match self.card_access_answer(&mut f, &resp, &mut policy) {
                    Ok(ReadNext::NeedSelect) if resp.sw == StatusWord::FILE_NOT_FOUND => {
                        self.card_access_done = true;
                        self.after_card_access()
                    }
                    Ok(ReadNext::NeedSelect) => {
                        self.phase = Phase::SelectMf;
                        self.send(select_mf())
                    }
                    Ok(ReadNext::Read(cmd)) => {
                        self.phase = Phase::ReadCardAccess(f, policy);
                        self.send(cmd)
                    }
                    Ok(ReadNext::Complete) => {
                        self.card_access_done = true;
                        self.pace_suites = pace_suites_from_card_access(&f.data);
                        self.pace_offered = pace_offered_in_card_access(&f.data);
                        self.card_access = Some(f.data);
                        self.after_card_access()
                    }
                    Err(_) => {
                        self.card_access_done = true;
                        self.after_card_access()
                    }
                }
            }
            Phase::Pace(mut p) => match p.step(&resp, self.rng.as_mut()) {
                Ok(PaceStep::Send(cmd)) => {
                    self.phase = Phase::Pace(p);
                    self.send(cmd)
                }
                Ok(PaceStep::Done(sm)) => {
                    self.sm = Some(sm);
                    self.access = Some(AccessProtocol::Pace(p.suite()));
                    self.cam = p.cam_evidence().cloned();
                    if self.cam.is_some() && self.files.contains_key(&FID_DG14) {
                        // A resumed read: DG14 is already here.
                        self.check_cam()?;
                    }
                    self.phase = Phase::SelectAppletSm;
                    self.send(select_applet())
                }
                Err(PaceError::Refused {
                    step: "MSE:Set AT",
                    sw,
                }) if sw.sw1() != 0x63 && self.pace_next + 1 < self.pace_suites.len() => {
                    // The chip does not take this suite after all: the next one it
                    // offers is still PACE, not a downgrade.
                    self.pace_next += 1;
                    self.after_card_access()
                }
                Err(e) => {
                    if self.cfg.access == AccessPolicy::AutoWithBacFallback {
                        // ICAO 9303 Part 11, 4.2: a reader that fails PACE may try BAC.
                        self.pace_failed = true;
                        return self.after_card_access();
                    }
                    Err(match e {
                        PaceError::BadToken => ReaderError::AccessDenied,
                        PaceError::Refused { sw, .. } if sw.sw1() == 0x63 => {
                            ReaderError::AccessDenied
                        }
                        e => e.into(),
                    })
                }
            },
            Phase::SelectAppletPlain => {
                if !resp.sw.is_success() {
                    return Err(ReaderError::NoApplication);
                }
                self.phase = Phase::BacChallenge;
                self.send(bac::get_challenge())
            }
            Phase::BacChallenge => {
                if !resp.sw.is_success() {
                    return Err(ReaderError::Refused {
                        step: "GET CHALLENGE",
                        sw: resp.sw,
                    });
                }
                let keys = self.cfg.key.bac_keys().ok_or(ReaderError::AccessDenied)?;
                let (b, cmd) = BacReader::start(keys, &resp.data, self.rng.as_mut())?;
                self.phase = Phase::BacAuth(b);
                self.send(cmd)
            }
            Phase::BacAuth(b) => {
                if !resp.sw.is_success() {
                    return Err(match resp.sw.meaning() {
                        Status::SecurityStatusNotSatisfied
                        | Status::AuthenticationFailed
                        | Status::VerificationFailed { .. } => ReaderError::AccessDenied,
                        _ => ReaderError::Refused {
                            step: "MUTUAL AUTHENTICATE",
                            sw: resp.sw,
                        },
                    });
                }
                let sm = b.finish(&resp.data).map_err(|e| match e {
                    BacError::BadMac | BacError::ChallengeMismatch => ReaderError::AccessDenied,
                    e => e.into(),
                })?;
                self.sm = Some(sm);
                self.access = Some(AccessProtocol::Bac);
                self.next_work()
            }
            Phase::SelectAppletSm => {
                if !resp.sw.is_success() {
                    return Err(ReaderError::NoApplication);
                }
                self.next_work()
            }
            Phase::SelectFile(mut f) => {
                if !resp.sw.is_success() {
                    if resp.sw == StatusWord::FILE_NOT_FOUND && self.cfg.files.is_none() {
                        // EF.COM listed a data group the chip does not have; skip it.
                        return self.next_work();
                    }
                    return Err(ReaderError::Refused {
                        step: "SELECT file",
                        sw: resp.sw,
                    });
                }
                f.selected = true;
                let policy = self.policy();
                let cmd = f.next_command(&policy);
                self.phase = Phase::ReadFile(f);
                self.send(cmd)
            }
            Phase::ReadFile(f) => self.on_read(f, resp),
            Phase::ChipAuthentication(mut ca) => match ca.step(&resp) {
                Ok(CaStep::Send(cmd)) => {
                    self.phase = Phase::ChipAuthentication(ca);
                    self.send(cmd)
                }
                Ok(CaStep::Done(sm)) => {
                    self.sm = Some(sm);
                    if let Some(p) = self.policy.take() {
                        self.learn(&p);
                        // Extended length stays off when it was given up in this read.
                        self.chip_rejects_extended |= p.fallbacks > 0 && !p.extended;
                    }
                    self.ca_done = true;
                    // The next protected answer is the proof that the chip holds the DG14 private key.
                    self.ca_unconfirmed = true;
                    self.next_work()
                }
                Err(e) => Err(ReaderError::ChipAuthenticationFailed(e.reason())),
            },
            Phase::ActiveAuth(aa) => {
                let dg15 = self.files.get(&FID_DG15).map(Vec::as_slice).unwrap_or(&[]);
                let dg14 = self.files.get(&FID_DG14).map(Vec::as_slice);
                let (evidence, verified) = aa
                    .finish(&resp, dg15, dg14)
                    .map_err(ReaderError::ActiveAuthenticationFailed)?;
                self.aa_evidence = Some(evidence.clone());
                self.aa = match verified {
                    true => AuthOutcome::Passed,
                    false => AuthOutcome::Collected(evidence),
                };
                self.next_work()
            }
        }
    }

    /// The read policy before secure messaging (EF.CardAccess).
    fn plain_policy(&self) -> ChunkPolicy {
        ChunkPolicy::new(
            self.cfg.strategy,
            None,
            self.cfg.limits.max_transceive,
            false,
        )
    }

    /// EF.CardAccess's READ BINARY answer under its plain policy; what the
    /// policy learnt about the chip's read size is kept for later sessions.
    fn card_access_answer(
        &mut self,
        f: &mut FileRead,
        resp: &ResponseApdu,
        policy: &mut ChunkPolicy,
    ) -> Result<ReadNext, FileError> {
        let before = policy.fallbacks;
        let next = f.on_response(resp, policy);
        if policy.fallbacks > before {
            self.stats.chunk_fallbacks += policy.fallbacks - before;
            self.learn(policy);
        }
        next
    }

    /// Remembers a stepped-down short read size.
    fn learn(&mut self, policy: &ChunkPolicy) {
        if policy.fallbacks > 0 && !policy.extended {
            let size = policy.short_size;
            self.learned_short = Some(self.learned_short.map_or(size, |l| l.min(size)));
        }
    }

    fn policy(&mut self) -> ChunkPolicy {
        if let Some(p) = self.policy {
            return p;
        }
        let cipher = self.sm.as_ref().map(SmSession::cipher);
        let extended = self.cfg.limits.extended_length && !self.chip_rejects_extended;
        let mut p = ChunkPolicy::new(
            self.cfg.strategy,
            cipher,
            self.cfg.limits.max_transceive,
            extended,
        );
        if let Some(limit) = self.learned_short {
            p.short_size = p.short_size.min(limit);
        }
        self.policy = Some(p);
        p
    }

    fn on_read(&mut self, mut f: FileRead, resp: ResponseApdu) -> Result<Step, ReaderError> {
        let mut policy = self.policy();
        let before = policy.fallbacks;
        let next = f.on_response(&resp, &mut policy);
        self.stats.chunk_fallbacks += policy.fallbacks - before;
        self.policy = Some(policy);
        match next? {
            ReadNext::Read(cmd) => {
                self.phase = Phase::ReadFile(f);
                self.send(cmd)
            }
            ReadNext::NeedSelect => {
                if resp_sw_not_found(&resp) {
                    // The chip knows SFIs; the file just is not there. SELECT gives the verdict.
                } else if let Some(p) = &mut self.policy {
                    p.sfi = false;
                }
                let fid = f.fid;
                self.phase = Phase::SelectFile(f);
                self.send(select_fid(fid))
            }
            ReadNext::Complete => {
                let fid = f.fid;
                self.files.insert(fid, f.data);
                self.after_file(fid)?;
                self.next_work()
            }
        }
    }

    /// Plans follow-up work once a file is complete.
    fn after_file(&mut self, fid: u16) -> Result<(), ReaderError> {
        let data = self.files.get(&fid).cloned().unwrap_or_default();
        match fid {
            FID_COM if self.cfg.files.is_none() => {
                let mut plan = files_from_com(&data);
                // DG14 first so chip authentication protects the rest of the read.
                plan.sort_by_key(|f| if *f == FID_DG14 { 0 } else { 1 });
                plan.push(FID_SOD);
                for f in plan.into_iter().rev() {
                    if !self.files.contains_key(&f) {
                        self.queue.push(f);
                    }
                }
            }
            FID_DG14 if self.cfg.chip_authentication && self.cam.is_some() => {
                // PACE-CAM already proved the key: chip authentication is not run again.
                self.check_cam()?;
            }
            FID_DG14 if self.cfg.chip_authentication => {
                if let Some(key) = ca_key_from_dg14(&data) {
                    self.ca_key = Some(key);
                    self.queue.push(JOB_CA);
                }
            }
            FID_DG15 if self.cfg.active_authentication => self.queue.push(JOB_AA),
            _ => {}
        }
        Ok(())
    }

    /// PACE-CAM: CA_IC * PK_IC = PK_Map,IC with DG14's key (ICAO 9303-11,
    /// 4.4.3.5.2). DG14 itself is vouched for by passive authentication later.
    fn check_cam(&mut self) -> Result<(), ReaderError> {
        let (Some(cam), Some(dg14)) = (&self.cam, self.files.get(&FID_DG14)) else {
            return Ok(());
        };
        let key = ca_key_from_dg14(dg14).filter(|k| k.curve == cam.curve);
        match key {
            Some(k) if cam.verify(&k.point) => {
                self.ca = AuthOutcome::Passed;
                Ok(())
            }
            _ => Err(ReaderError::ChipAuthenticationFailed(
                "PACE-CAM: the chip's authentication data does not match the DG14 key",
            )),
        }
    }

    /// Starts the next queued job: a file, chip authentication or active authentication.
    fn next_work(&mut self) -> Result<Step, ReaderError> {
        // Chip authentication comes before anything else, including an interrupted file.
        if self.queue.last() == Some(&JOB_CA) {
            self.queue.pop();
            return self.start_ca();
        }
        if let Some(f) = self.partial.take() {
            let fid = f.fid;
            self.phase = Phase::SelectFile(f);
            return self.send(select_fid(fid));
        }
        let Some(job) = self.queue.pop() else {
            return self.finish();
        };
        match job {
            JOB_CA => self.start_ca(),
            JOB_AA => {
                let challenge = match self.cfg.aa_challenge {
                    Some(c) => c,
                    None => {
                        let mut c = [0u8; 8];
                        self.rng.fill(&mut c).map_err(|_| ReaderError::Random)?;
                        c
                    }
                };
                let (aa, cmd) = AaReader::start(challenge);
                self.phase = Phase::ActiveAuth(aa);
                self.send(cmd)
            }
            fid => {
                let policy = self.policy();
                let mut f = FileRead::new(fid);
                let cmd = f.next_command(&policy);
                if f.offset() == 0 && policy.sfi && files::sfi_of(fid).is_some() {
                    self.phase = Phase::ReadFile(f);
                    return self.send(cmd);
                }
                self.phase = Phase::SelectFile(FileRead::new(fid));
                self.send(select_fid(fid))
            }
        }
    }

    fn start_ca(&mut self) -> Result<Step, ReaderError> {
        let Some(key) = self.ca_key.clone() else {
            return self.next_work();
        };
        let (ca, cmd) = CaReader::start(key, self.rng.as_mut())
            .map_err(|e| ReaderError::ChipAuthenticationFailed(e.reason()))?;
        self.phase = Phase::ChipAuthentication(ca);
        self.send(cmd)
    }

    fn finish(&mut self) -> Result<Step, ReaderError> {
        self.phase = Phase::Done;
        let policy = self.policy();
        self.stats.final_read_size = policy.size();
        self.stats.extended_length_used = policy.extended;
        if self.ca_unconfirmed {
            return Err(ReaderError::ChipAuthenticationFailed(
                "no answer under the new session keys",
            ));
        }
        self.final_progress = Some(self.progress());
        Ok(Step::Done(Box::new(ReadOutcome {
            access: self.access.unwrap_or(AccessProtocol::Bac),
            card_access: self.card_access.clone(),
            files: core::mem::take(&mut self.files),
            chip_authentication: self.ca.clone(),
            active_authentication: self.aa.clone(),
            active_auth_evidence: self.aa_evidence.clone(),
            stats: self.stats,
        })))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::bac::AccessKey;
    use crate::crypto::tests::hex;

    /// A hostile chip that answers every READ BINARY of EF.CardAccess with
    /// 6Cxx one smaller than asked never sends a byte; the step guard ends
    /// the read after MAX_APDUS_WITHOUT_PROGRESS APDUs; without it every Le
    /// of every rung of the ladder is tried first (about 650 APDUs).
    #[test]
    fn a_chip_that_never_sends_data_is_given_up() {
        let key = AccessKey::from_mrz("L898902C", "690806", "940623").unwrap();
        let mut r = Reader::new(ReaderConfig::new(key));
        let mut step = r.start().unwrap();
        let mut apdus = 0;
        let err = loop {
            apdus += 1;
            assert!(apdus <= 300, "no end after {apdus} APDUs");
            let Step::Transmit(cmd) = step else {
                panic!("a read without data cannot finish");
            };
            // Le is the last byte of these short plain commands.
            let le = cmd.last().copied().unwrap_or(0);
            let answer = match cmd.get(1) {
                Some(0xB0) => vec![0x6C, le.saturating_sub(1).max(1)],
                _ => vec![0x90, 0x00],
            };
            match r.on_response(&answer) {
                Ok(next) => step = next,
                Err(e) => break e,
            }
        };
        assert_eq!(err, ReaderError::Stalled(MAX_APDUS_WITHOUT_PROGRESS));
        assert_eq!(apdus, MAX_APDUS_WITHOUT_PROGRESS);
    }

    #[test]
    fn bac_only_starts_with_select_applet() {
        let key = AccessKey::from_mrz("L898902C", "690806", "940623").unwrap();
        let mut cfg = ReaderConfig::new(key);
        cfg.access = AccessPolicy::BacOnly;
        let mut r = Reader::new(cfg);
        match r.start().unwrap() {
            Step::Transmit(apdu) => assert_eq!(apdu, hex("00A4040C07A0000002471001")),
            Step::Done(_) => panic!(),
        }
        assert!(matches!(
            r.on_response(&hex("6A82")),
            Err(ReaderError::NoApplication)
        ));
        assert!(matches!(
            r.on_response(&hex("9000")),
            Err(ReaderError::NotWaiting)
        ));
    }
}
