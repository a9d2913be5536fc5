//! Reading one elementary file with the adaptive READ BINARY strategy.
//!
//! The chunk size starts at the largest the chip, the phone and secure
//! messaging allow (extended length when both sides support it, otherwise
//! 0xDF under AES / 0xE7 under 3DES) and steps down a ladder when the chip
//! answers 6700, 6Cxx, 6B00 or 6282 without data. Offsets above 32767 use
//! READ BINARY with odd INS (B1) and an offset data object.

use crate::apdu::{CommandApdu, ResponseApdu, Status};
use crate::crypto::CipherKind;
use crate::sm::max_plain_for_response;
use crate::tlv;

/// Largest file the reader accepts (DG2 with a large portrait is ~100 KB).
pub const MAX_FILE_LEN: usize = 1 << 20;
/// Highest offset READ BINARY with even INS can address.
pub const MAX_B0_OFFSET: usize = 0x7FFF;
/// Short-read sizes tried after the largest one fails.
pub const SHORT_LADDER: [usize; 5] = [0xA0, 0x80, 0x40, 0x20, 0x08];

/// How the reader sizes READ BINARY commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStrategy {
    /// Largest possible reads, extended length when available, with fallback.
    Adaptive,
    /// Short reads of exactly this many bytes after an 8-byte header read
    /// (what simple readers do; for comparison in benchmarks).
    Fixed(usize),
}

/// Why a file read cannot continue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("file {fid:04X} declares {len} bytes, more than the {max} allowed")]
    TooLarge { fid: u16, len: usize, max: usize },
    #[error("file {fid:04X} does not start with a valid TLV header")]
    BadHeader { fid: u16 },
    #[error(
        "file {fid:04X}: the chip refused READ BINARY at offset {offset} with {sw:04X} at every size"
    )]
    Refused { fid: u16, offset: usize, sw: u16 },
    #[error("file {fid:04X}: the chip stopped returning data at offset {offset}")]
    NoProgress { fid: u16, offset: usize },
    #[error("file {fid:04X}: malformed B1 response at offset {offset}")]
    BadOddResponse { fid: u16, offset: usize },
}

/// The chip's and phone's read capabilities as learnt so far; shared by all files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkPolicy {
    pub strategy: ReadStrategy,
    /// Extended-length reads are still worth trying.
    pub extended: bool,
    /// Extended read size (plaintext) allowed by the transport.
    pub extended_size: usize,
    /// Current short read size (plaintext).
    pub short_size: usize,
    /// Number of times the read size was stepped down.
    pub fallbacks: u32,
    /// Start files with READ BINARY by short EF identifier instead of SELECT.
    pub sfi: bool,
}

impl ChunkPolicy {
    /// The policy for a fresh session.
    pub fn new(
        strategy: ReadStrategy,
        cipher: Option<CipherKind>,
        max_transceive: usize,
        extended_transport: bool,
    ) -> Self {
        let short_max = match cipher {
            Some(c) => max_plain_for_response(c, 256),
            None => 256,
        };
        let ext_room = max_transceive.saturating_sub(2);
        let extended_size = match cipher {
            Some(c) => max_plain_for_response(c, ext_room.min(65_536)),
            None => ext_room.min(65_536),
        };
        let (extended, short_size) = match strategy {
            ReadStrategy::Adaptive => (extended_transport && extended_size > short_max, short_max),
            ReadStrategy::Fixed(n) => (false, n.clamp(1, short_max)),
        };
        let sfi = matches!(strategy, ReadStrategy::Adaptive);
        Self {
            strategy,
            extended,
            extended_size,
            short_size,
            fallbacks: 0,
            sfi,
        }
    }

    /// The current largest read.
    pub fn size(&self) -> usize {
        if self.extended {
            self.extended_size
        } else {
            self.short_size
        }
    }

    /// Steps down after a length-related refusal; false when nothing smaller is left.
    pub fn step_down(&mut self) -> bool {
        self.fallbacks += 1;
        if self.extended {
            self.extended = false;
            return true;
        }
        match SHORT_LADDER.iter().find(|s| **s < self.short_size) {
            Some(s) => {
                self.short_size = *s;
                true
            }
            None => false,
        }
    }
}

/// Progress of one file.
#[derive(Clone, PartialEq, Eq)]
pub struct FileRead {
    pub fid: u16,
    pub data: Vec<u8>,
    /// Total length once the TLV header has been read.
    pub total: Option<usize>,
    /// Le of the outstanding command (plaintext bytes asked for).
    asked: usize,
    /// A one-off size the chip told us via 6Cxx.
    exact: Option<usize>,
    stalls: u8,
    /// The file has been selected (else the first read names it by SFI).
    pub selected: bool,
    /// The outstanding command names the file by SFI.
    via_sfi: bool,
}

impl core::fmt::Debug for FileRead {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "FileRead({:04X}, {} of {:?} bytes)",
            self.fid,
            self.data.len(),
            self.total
        )
    }
}

/// What to do after a READ BINARY answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadNext {
    /// Send the next READ BINARY.
    Read(CommandApdu),
    /// The file is complete.
    Complete,
    /// Reading by short EF identifier was refused: SELECT the file and read again.
    NeedSelect,
}

/// The short EF identifier of an LDS file: the LDS's one table
/// ([`crate::lds::fid::sfi_of`]).
pub fn sfi_of(fid: u16) -> Option<u8> {
    crate::lds::fid::sfi_of(fid)
}

impl FileRead {
    pub fn new(fid: u16) -> Self {
        Self {
            fid,
            data: Vec::new(),
            total: None,
            asked: 0,
            exact: None,
            stalls: 0,
            selected: false,
            via_sfi: false,
        }
    }

    pub fn offset(&self) -> usize {
        self.data.len()
    }

    pub fn is_complete(&self) -> bool {
        self.total.is_some_and(|t| self.data.len() >= t)
    }

    /// The next READ BINARY under `policy`.
    pub fn next_command(&mut self, policy: &ChunkPolicy) -> CommandApdu {
        let offset = self.offset();
        let odd = offset > MAX_B0_OFFSET;
        let do53_header = |n: usize| {
            if n < 0x80 {
                2
            } else if n < 0x100 {
                3
            } else if n < 0x1_0000 {
                4
            } else {
                5
            }
        };
        let mut size = policy.size();
        if odd {
            // B1 answers wrap the data in DO'53', which eats into the size.
            size = size.saturating_sub(do53_header(size)).max(1);
        }
        if self.total.is_none() && matches!(policy.strategy, ReadStrategy::Fixed(_)) {
            // Simple readers learn the length from a small first read.
            size = size.min(8);
        }
        if let Some(t) = self.total {
            size = size.min(t.saturating_sub(offset)).max(1);
        }
        if let Some(exact) = self.exact.take() {
            size = size.min(exact).max(1);
        }
        self.asked = size;
        self.via_sfi = false;
        let sfi = sfi_of(self.fid).filter(|_| offset == 0 && !self.selected && policy.sfi);
        if let Some(sfi) = sfi {
            self.via_sfi = true;
            return CommandApdu::new(0x00, 0xB0, 0x80 | sfi, 0x00).with_le(size);
        }
        if odd {
            let off = (offset as u32).to_be_bytes();
            let skip = off.iter().take_while(|b| **b == 0).count();
            let off = off.get(skip..).unwrap_or(&[0]);
            CommandApdu::new(0x00, 0xB1, 0x00, 0x00)
                .with_data(tlv::encode(0x54, off))
                .with_le(size + do53_header(size))
        } else {
            CommandApdu::new(0x00, 0xB0, (offset >> 8) as u8, (offset & 0xFF) as u8).with_le(size)
        }
    }

    /// Consumes a (plaintext) READ BINARY answer.
    pub fn on_response(
        &mut self,
        resp: &ResponseApdu,
        policy: &mut ChunkPolicy,
    ) -> Result<ReadNext, FileError> {
        let fid = self.fid;
        let offset = self.offset();
        if self.via_sfi {
            self.via_sfi = false;
            match resp.sw.meaning() {
                Status::Success | Status::EndOfFile | Status::WrongLength | Status::WrongLe(_) => {
                    // An SFI read makes the file the current EF.
                    self.selected = true;
                }
                _ => return Ok(ReadNext::NeedSelect),
            }
        }
        let odd = offset > MAX_B0_OFFSET;
        let payload: &[u8] = if odd && !resp.data.is_empty() {
            let t = tlv::parse_single(&resp.data)
                .map_err(|_| FileError::BadOddResponse { fid, offset })?;
            if t.tag != 0x53 {
                return Err(FileError::BadOddResponse { fid, offset });
            }
            t.value
        } else {
            &resp.data
        };
        match resp.sw.meaning() {
            Status::Success | Status::EndOfFile if !payload.is_empty() => {
                self.accept(payload)?;
                self.stalls = 0;
                if resp.sw.meaning() == Status::EndOfFile && self.total.is_none() {
                    // The chip says the file ends here: trust it when the header cannot be parsed yet.
                    self.total = Some(self.data.len());
                }
            }
            Status::WrongLe(n) if n > 0 && usize::from(n) < self.asked => {
                self.exact = Some(usize::from(n));
            }
            Status::WrongLength | Status::WrongLe(_) | Status::WrongP1P2 | Status::EndOfFile => {
                if self.is_complete() {
                    return Ok(ReadNext::Complete);
                }
                if !policy.step_down() {
                    return Err(FileError::Refused {
                        fid,
                        offset,
                        sw: resp.sw.0,
                    });
                }
            }
            _ if resp.sw.is_success() => {
                self.stalls += 1;
                if self.stalls > 2 {
                    return Err(FileError::NoProgress { fid, offset });
                }
            }
            _ => {
                return Err(FileError::Refused {
                    fid,
                    offset,
                    sw: resp.sw.0,
                });
            }
        }
        if self.is_complete() {
            self.data.truncate(self.total.unwrap_or(self.data.len()));
            return Ok(ReadNext::Complete);
        }
        Ok(ReadNext::Read(self.next_command(policy)))
    }

    fn accept(&mut self, payload: &[u8]) -> Result<(), FileError> {
        let fid = self.fid;
        let room = self
            .total
            .map_or(MAX_FILE_LEN, |t| t.saturating_sub(self.data.len()));
        let take = payload.len().min(room);
        self.data
            .extend_from_slice(payload.get(..take).unwrap_or(&[]));
        if self.total.is_none() {
            match tlv::parse_header(&self.data) {
                Ok((_, header, len)) => {
                    let total = header.checked_add(len).ok_or(FileError::TooLarge {
                        fid,
                        len,
                        max: MAX_FILE_LEN,
                    })?;
                    if total > MAX_FILE_LEN {
                        return Err(FileError::TooLarge {
                            fid,
                            len: total,
                            max: MAX_FILE_LEN,
                        });
                    }
                    self.total = Some(total);
                    self.data.truncate(total);
                }
                Err(tlv::TlvError::TruncatedLength { .. } | tlv::TlvError::TruncatedTag { .. })
                    if self.data.len() < 8 => {}
                Err(_) => return Err(FileError::BadHeader { fid }),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::apdu::StatusWord;

    /// Serves READ BINARY from a byte vector with a maximum answer size.
    fn serve(file: &[u8], cmd: &CommandApdu, max: usize) -> ResponseApdu {
        let le = cmd.le.unwrap();
        let (offset, wrap) = if cmd.ins == 0xB1 {
            let t = tlv::parse_single(&cmd.data).unwrap();
            (
                t.value
                    .iter()
                    .fold(0usize, |a, b| (a << 8) | usize::from(*b)),
                true,
            )
        } else if cmd.p1 & 0x80 != 0 {
            (usize::from(cmd.p2), false)
        } else {
            ((usize::from(cmd.p1) << 8) | usize::from(cmd.p2), false)
        };
        if le > max {
            return ResponseApdu::new(vec![], StatusWord::WRONG_LENGTH);
        }
        if offset >= file.len() {
            return ResponseApdu::new(vec![], StatusWord::WRONG_P1P2);
        }
        let inner = if wrap {
            le - if le < 0x80 {
                2
            } else if le < 0x100 {
                3
            } else {
                4
            }
        } else {
            le
        };
        let end = (offset + inner).min(file.len());
        let chunk = file[offset..end].to_vec();
        let sw = if end - offset < inner {
            StatusWord::END_OF_FILE
        } else {
            StatusWord::SUCCESS
        };
        let data = if wrap {
            tlv::encode(0x53, &chunk)
        } else {
            chunk
        };
        ResponseApdu::new(data, sw)
    }

    fn read_all(file: &[u8], policy: &mut ChunkPolicy, chip_max: usize) -> (Vec<u8>, usize) {
        let mut f = FileRead::new(0x0102);
        let mut cmd = f.next_command(policy);
        let mut n = 0;
        loop {
            n += 1;
            let r = serve(file, &cmd, chip_max);
            match f.on_response(&r, policy).unwrap() {
                ReadNext::Read(c) => cmd = c,
                ReadNext::Complete => return (f.data, n),
                ReadNext::NeedSelect => unreachable!(),
            }
        }
    }

    fn dg(len: usize) -> Vec<u8> {
        let body: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
        tlv::encode(0x75, &body)
    }

    #[test]
    fn adaptive_short_aes() {
        let file = dg(18_000);
        let mut p = ChunkPolicy::new(ReadStrategy::Adaptive, Some(CipherKind::Aes128), 261, false);
        assert_eq!(p.size(), 0xDF);
        let (data, n) = read_all(&file, &mut p, 256);
        assert_eq!(data, file);
        assert_eq!(n, file.len().div_ceil(0xDF));
    }

    #[test]
    fn extended_reads_large_offsets_with_b1() {
        let file = dg(70_000);
        let mut p = ChunkPolicy::new(
            ReadStrategy::Adaptive,
            Some(CipherKind::Aes128),
            65_546,
            true,
        );
        assert!(p.extended);
        let (data, n) = read_all(&file, &mut p, 65_536);
        assert_eq!(data, file);
        assert!(n <= 3, "{n}");
        let mut p = ChunkPolicy::new(ReadStrategy::Adaptive, Some(CipherKind::Tdes), 261, false);
        let (data, _) = read_all(&file, &mut p, 256);
        assert_eq!(data, file);
    }

    #[test]
    fn falls_back_on_wrong_length() {
        let file = dg(2000);
        let mut p = ChunkPolicy::new(ReadStrategy::Adaptive, Some(CipherKind::Aes128), 4096, true);
        let (data, n) = read_all(&file, &mut p, 0xA0);
        assert_eq!(data, file);
        assert_eq!(p.short_size, 0xA0);
        assert!(!p.extended);
        assert_eq!(n, 2 + file.len().div_ceil(0xA0));
    }

    #[test]
    fn fixed_strategy_reads_header_first() {
        let file = dg(1000);
        let mut p = ChunkPolicy::new(
            ReadStrategy::Fixed(0xA0),
            Some(CipherKind::Aes128),
            261,
            true,
        );
        let (data, n) = read_all(&file, &mut p, 256);
        assert_eq!(data, file);
        assert_eq!(n, 1 + (file.len() - 8).div_ceil(0xA0));
    }

    #[test]
    fn refuses_oversized_and_garbage() {
        let mut p = ChunkPolicy::new(ReadStrategy::Adaptive, None, 261, false);
        let mut f = FileRead::new(0x0102);
        assert_eq!(
            f.next_command(&p).encode().unwrap(),
            [0x00, 0xB0, 0x82, 0x00, 0x00]
        );
        let r = ResponseApdu::new(vec![], StatusWord::FILE_NOT_FOUND);
        assert_eq!(f.on_response(&r, &mut p), Ok(ReadNext::NeedSelect));
        p.sfi = false;
        let mut f = FileRead::new(0x0102);
        let _ = f.next_command(&p);
        let r = ResponseApdu::new(vec![0x75, 0x84, 0x7F, 0, 0, 0], StatusWord::SUCCESS);
        assert!(matches!(
            f.on_response(&r, &mut p),
            Err(FileError::TooLarge { .. })
        ));
        let mut f = FileRead::new(0x0102);
        let _ = f.next_command(&p);
        let r = ResponseApdu::new(vec![0x75, 0x80, 0, 0, 0, 0, 0, 0, 0], StatusWord::SUCCESS);
        assert!(matches!(
            f.on_response(&r, &mut p),
            Err(FileError::BadHeader { .. })
        ));
        let mut f = FileRead::new(0x0102);
        let _ = f.next_command(&p);
        let r = ResponseApdu::new(vec![], StatusWord::FILE_NOT_FOUND);
        assert!(matches!(
            f.on_response(&r, &mut p),
            Err(FileError::Refused { sw: 0x6A82, .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn any_answer_is_handled(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300), sw in proptest::prelude::any::<u16>()) {
            let mut p = ChunkPolicy::new(ReadStrategy::Adaptive, Some(CipherKind::Aes128), 261, false);
            let mut f = FileRead::new(0x0101);
            let _ = f.next_command(&p);
            for _ in 0..20 {
                match f.on_response(&ResponseApdu::new(data.clone(), StatusWord(sw)), &mut p) {
                    Ok(ReadNext::Read(_)) => {}
                    _ => break,
                }
            }
        }
    }
}
