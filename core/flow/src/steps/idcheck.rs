//! The ID check: intro and steps, camera access, document choice, MRZ scan,
//! chip read, face check, and the evidence sent while activating.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use aktiver_emrtd::bac::AccessKey;
use aktiver_emrtd::reader::{Reader, ReaderConfig};
use aktiver_protocol::{
    self as proto, ActiveAuthTranscript, ChallengeResponse, ChipAuthTranscript, DataGroup, Empty,
    ErrorCode, IdCheckEvidence, Sensitive, SessionView, decode_b64, encode_b64,
};
use aktiver_scan::{LumaFrame, Rotation};
use proto::endpoints as ep;

use super::{Halt, Machine, Out};
use crate::action::Action;
use crate::checks::{self, MrzVerdict};
use crate::chip::{self, ReadStop};
use crate::error::Failure;
use crate::screen::{ChipHint, PauseCause, Permission, Screen};

/// Data groups sent as evidence: the MRZ, the portrait, and the chip's keys.
const EVIDENCE_GROUPS: [u16; 4] = [0x0101, 0x0102, 0x010E, 0x010F];
const EF_SOD: u16 = 0x011D;

impl Machine {
    pub(super) async fn idcheck_step(&mut self, action: Action) -> Out {
        let doc = self.mem.document.unwrap_or(proto::DocumentKind::IdCard);
        match (&self.screen, action) {
            (Screen::IdCheckIntro, Action::Continue) => self.show(Screen::IdCheckSteps),
            (Screen::IdCheckSteps, Action::Continue) => {
                let p = self.caps.permissions.clone();
                let granted = self.blocking(move || p.granted(Permission::Camera)).await?;
                self.show(if granted {
                    Screen::ChooseDocument
                } else {
                    Screen::CameraAccess { denied: false }
                });
            }
            (Screen::CameraAccess { .. }, Action::Continue) => {
                self.show(Screen::PermissionPrompt {
                    permission: Permission::Camera,
                });
                let p = self.caps.permissions.clone();
                let granted = self.blocking(move || p.request(Permission::Camera)).await?;
                self.show(if granted {
                    Screen::ChooseDocument
                } else {
                    Screen::CameraAccess { denied: true }
                });
            }
            (Screen::ChooseDocument, Action::ChooseDocument { document }) => {
                self.mem.document = Some(document);
                self.show(Screen::ScanInfo { document });
            }
            (Screen::ScanInfo { .. }, Action::Continue) => {
                self.show(Screen::MrzLocation { document: doc })
            }
            (Screen::MrzLocation { .. }, Action::Continue) => {
                self.mem.consensus.reset();
                self.mem.frames = 0;
                self.mem.mrz = None;
                self.show(Screen::MrzScan {
                    document: doc,
                    feedback: None,
                    frames: 0,
                    error: None,
                });
            }
            (Screen::ChipInfo { .. }, Action::Continue) => {
                self.mem.set_reader(None);
                return self.read_chip(false).await;
            }
            (Screen::Paused { .. }, Action::Continue) => return self.read_chip(true).await,
            (Screen::FaceInfo, Action::Continue) => return self.face_and_activate().await,
            _ => {}
        }
        Ok(())
    }

    /// One camera frame on the MRZ scan screen.
    pub(super) async fn scan_frame(
        &mut self,
        luma: Vec<u8>,
        width: u32,
        height: u32,
        row_stride: u32,
        rotation: Rotation,
        feedback: &mut String,
    ) -> Out {
        // The shell's rotation is a hint: the frame is looked at first in the
        // turn the burst's last frames were read in.
        let turn = self.mem.consensus.turn();
        let scan = self
            .blocking(move || {
                LumaFrame::new(&luma, width, height, row_stride, rotation)
                    .ok()
                    .map(|f| aktiver_scan::scan_frame_turned(&f, turn))
            })
            .await?;
        let Some(scan) = scan else {
            *feedback = "bad_frame".to_owned();
            return Ok(());
        };
        *feedback = scan.feedback.as_str().to_owned();
        self.mem.frames += 1;
        let agreed = self
            .mem
            .consensus
            .push(&scan)
            .map(|l| Zeroizing::new(l.join("\n")));
        let Screen::MrzScan { document, .. } = self.screen.clone() else {
            return Ok(());
        };
        let Some(text) = agreed else {
            self.show(Screen::MrzScan {
                document,
                feedback: Some(feedback.clone()),
                frames: self.mem.frames,
                error: None,
            });
            return Ok(());
        };
        let Some(nin) = self.mem.nin.clone() else {
            return Err(Halt::Fail(Failure::from_code(ErrorCode::SessionNotFound)));
        };
        let today = time::OffsetDateTime::now_utc().date();
        match checks::scanned_mrz(&text, document, &nin, self.cfg.nin_policy, today) {
            Ok(_) => {
                self.mem.mrz = Some(text);
                self.show(Screen::ChipInfo { document });
                Ok(())
            }
            Err(MrzVerdict::Rescan(e)) => {
                self.mem.consensus.reset();
                self.show(Screen::MrzScan {
                    document,
                    feedback: Some(feedback.clone()),
                    frames: self.mem.frames,
                    error: Some(e),
                });
                Ok(())
            }
            Err(MrzVerdict::Refuse(f)) => Err(Halt::Fail(f)),
        }
    }

    /// Step 15: reads the chip (or resumes after a lost tag), then checks it.
    async fn read_chip(&mut self, resume: bool) -> Out {
        let document = self.mem.document.unwrap_or(proto::DocumentKind::IdCard);
        let Some(mrz) = self.mem.mrz.clone() else {
            self.show(Screen::ScanInfo { document });
            return Ok(());
        };
        let mut reader = match self.mem.take_reader() {
            Some(r) if resume => r,
            _ => {
                let key = AccessKey::from_mrz_text(&mrz)
                    .map_err(|_| Halt::Fail(Failure::CHIP_ACCESS_DENIED))?;
                // Active authentication signs the server's single-use
                // challenge, so the server can verify it is no clone.
                let ch = match self
                    .post::<_, ChallengeResponse>("aa_challenge", ep::CHALLENGE, &Empty {})
                    .await?
                {
                    Ok(c) => c,
                    Err(b) => return Err(Halt::Fail(Failure::from_code(b.code))),
                };
                let challenge: [u8; 8] = decode_b64("challenge_b64", &ch.challenge_b64)
                    .ok()
                    .and_then(|c| c.try_into().ok())
                    .ok_or(Halt::Fail(Failure::UNEXPECTED_ANSWER))?;
                self.mem.aa_challenge = Some(challenge);
                let mut cfg = ReaderConfig::new(key);
                cfg.files = Some(vec![0x011E, 0x0101, 0x0102, 0x010E, 0x010F, EF_SOD]);
                cfg.aa_challenge = Some(challenge);
                Reader::new(cfg)
            }
        };
        self.show(Screen::ChipScan {
            document,
            progress: 0,
            hint: ChipHint::PlacePhone,
        });
        let nfc = self.caps.nfc.clone();
        // One stop flag per read: an interrupted read must end before any
        // other read talks to the chip.
        let stop = Arc::new(AtomicBool::new(false));
        let stop_read = stop.clone();
        let publisher = self.publisher();
        let mut handle = tokio::task::spawn_blocking(move || {
            let r = chip::read(&*nfc, &mut reader, resume, &stop_read, |progress| {
                publisher.publish(Screen::ChipScan {
                    document,
                    progress,
                    hint: ChipHint::KeepStill,
                });
            });
            (reader, r)
        });
        let r = match self.guard(&mut handle).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => return Err(Halt::Fail(Failure::CHIP_READ_FAILED)),
            Err(h) => {
                stop.store(true, Ordering::SeqCst);
                let _ = handle.await;
                return Err(h);
            }
        };
        let (reader, outcome) = r;
        let outcome = match outcome {
            Ok(o) => o,
            Err(ReadStop::TagLost) => {
                self.mem.set_reader(Some(reader));
                self.show(Screen::Paused {
                    cause: PauseCause::TagLost,
                    during: "chip_scan".to_owned(),
                });
                return Ok(());
            }
            Err(ReadStop::Stopped) => return Err(Halt::Interrupted),
            Err(ReadStop::Failed(f)) => return Err(Halt::Fail(f)),
        };
        self.show(Screen::ChipScan {
            document,
            progress: 100,
            hint: ChipHint::Verifying,
        });
        let data = chip::verdict(
            &self.trust,
            outcome,
            &mrz,
            self.mem.aa_challenge,
            SystemTime::now(),
        )
        .map_err(Halt::Fail)?;
        self.mem.chip = Some(data);
        self.show(Screen::FaceInfo);
        Ok(())
    }

    /// Steps 16-18: the face check, then activation.
    async fn face_and_activate(&mut self) -> Out {
        if self.mem.face.is_none() {
            self.show(Screen::FaceScan);
            let sid = self
                .mem
                .session
                .as_ref()
                .map(|s| s.session_id.clone())
                .unwrap_or_default();
            let portrait = self
                .mem
                .chip
                .as_ref()
                .and_then(|c| c.files.get(&0x0102).map(|d| d.to_vec()))
                .ok_or(Halt::Fail(Failure::CHIP_READ_FAILED))?;
            let hash: [u8; 32] = Sha256::digest(&portrait).into();
            let verdict = self
                .face_check(sid, portrait, hash)
                .await?
                .map_err(|_| Halt::Fail(Failure::FACE_CHECK_UNAVAILABLE))?;
            self.mem.face = Some(verdict);
        }
        self.activate().await
    }

    /// The ID-check evidence; the chip's data is dropped once the server
    /// has answered.
    pub(super) async fn submit_evidence(&mut self) -> Out {
        let (Some(chip), Some(mrz), Some(face), Some(document)) = (
            self.mem.chip.as_ref(),
            self.mem.mrz.as_ref(),
            self.mem.face.clone(),
            self.mem.document,
        ) else {
            return Err(Halt::Fail(Failure::CHIP_READ_FAILED));
        };
        let evidence = IdCheckEvidence {
            document,
            sod_b64: Sensitive::new(encode_b64(chip.files.get(&EF_SOD).map_or(&[][..], |v| v))),
            data_groups: EVIDENCE_GROUPS
                .iter()
                .filter_map(|fid| {
                    chip.files.get(fid).map(|d| DataGroup {
                        number: (fid - 0x0100) as u8,
                        content_b64: Sensitive::new(encode_b64(d)),
                    })
                })
                .collect(),
            scanned_mrz: Sensitive::new(mrz.as_str()),
            chip_auth: chip.chip_authentication.then(|| ChipAuthTranscript {
                protocol: "ca".to_owned(),
                transcript_b64: String::new(),
            }),
            active_auth: chip
                .active_authentication
                .as_ref()
                .map(|e| ActiveAuthTranscript {
                    challenge_b64: encode_b64(&e.challenge),
                    signature_b64: encode_b64(&e.signature),
                }),
            face_verdict: face,
        };
        let r = self
            .post::<_, SessionView>("id_check", ep::ID_CHECK, &evidence)
            .await?;
        self.mem.chip = None;
        self.mem.mrz = None;
        self.mem.face = None;
        match r {
            Ok(v) => {
                self.mem.session = Some(v);
                Ok(())
            }
            Err(b) => Err(Halt::Fail(Failure::from_code(b.code))),
        }
    }
}
