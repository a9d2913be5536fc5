//! ISO 7816-4 command and response APDUs, status words, and the transport's limits.
//!
//! Encoding picks the short form whenever the command fits it, because many
//! phones and chips do not support extended length; the extended form is only
//! used when the caller asks for more than a short APDU can carry.

use thiserror::Error;

/// Most data a short command APDU carries (Lc is one byte).
pub const SHORT_MAX_DATA: usize = 255;
/// Most response data a short APDU can request (Le = 00 means 256).
pub const SHORT_MAX_LE: usize = 256;
/// Most data an extended command APDU carries.
pub const EXTENDED_MAX_DATA: usize = 65_535;
/// Most response data an extended APDU can request (Le = 0000 means 65536).
pub const EXTENDED_MAX_LE: usize = 65_536;

/// Why a command APDU cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApduError {
    #[error("command data is {len} bytes, more than the {max} an APDU carries")]
    DataTooLong { len: usize, max: usize },
    #[error("expected response length Le={le} is out of range 1..={max}")]
    LeOutOfRange { le: usize, max: usize },
    #[error("command APDU of {len} bytes has inconsistent length fields")]
    MalformedCommand { len: usize },
    #[error("response APDU is {len} bytes, shorter than the 2-byte status word")]
    ResponseTooShort { len: usize },
}

/// A command APDU before encoding.
#[derive(Clone, PartialEq, Eq)]
pub struct CommandApdu {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    /// Expected response length; `None` sends no Le field at all (some chips
    /// reject SELECT and MSE:Set AT that carry one).
    pub le: Option<usize>,
}

impl core::fmt::Debug for CommandApdu {
    // The data field may carry key material (MUTUAL AUTHENTICATE, PACE), so only its length is shown.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "CommandApdu({:02X} {:02X} {:02X} {:02X}, {} data bytes, le={:?})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le
        )
    }
}

impl CommandApdu {
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }

    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    /// True when this command needs the extended-length form.
    pub fn needs_extended(&self) -> bool {
        self.data.len() > SHORT_MAX_DATA || self.le.is_some_and(|le| le > SHORT_MAX_LE)
    }

    /// The encoded length, or an error when the command cannot be encoded.
    pub fn encoded_len(&self) -> Result<usize, ApduError> {
        self.encode().map(|v| v.len())
    }

    /// Encodes in short form when possible, extended form otherwise.
    pub fn encode(&self) -> Result<Vec<u8>, ApduError> {
        if self.data.len() > EXTENDED_MAX_DATA {
            return Err(ApduError::DataTooLong {
                len: self.data.len(),
                max: EXTENDED_MAX_DATA,
            });
        }
        match self.le {
            Some(le) if le == 0 || le > EXTENDED_MAX_LE => {
                return Err(ApduError::LeOutOfRange {
                    le,
                    max: EXTENDED_MAX_LE,
                });
            }
            _ => {}
        }
        let mut out = Vec::with_capacity(4 + 3 + self.data.len() + 3);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if !self.needs_extended() {
            if !self.data.is_empty() {
                // Lc fits one byte because needs_extended() is false.
                out.push(self.data.len() as u8);
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                // 256 wraps to 00, the short form's encoding of 256.
                out.push((le & 0xFF) as u8);
            }
        } else {
            let mut marker_written = false;
            if !self.data.is_empty() {
                out.push(0);
                marker_written = true;
                out.extend_from_slice(&(self.data.len() as u16).to_be_bytes());
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                if !marker_written {
                    out.push(0);
                }
                // 65536 wraps to 0000, the extended form's encoding of 65536.
                out.extend_from_slice(&((le & 0xFFFF) as u16).to_be_bytes());
            }
        }
        Ok(out)
    }

    /// Parses an encoded command APDU (ISO 7816-3 cases 1-4, short and
    /// extended). The virtual chip and the fuzzers use it.
    pub fn parse(raw: &[u8]) -> Result<Self, ApduError> {
        let bad = || ApduError::MalformedCommand { len: raw.len() };
        let (header, body) = raw.split_at_checked(4).ok_or_else(bad)?;
        let mut c = match header {
            [cla, ins, p1, p2] => CommandApdu::new(*cla, *ins, *p1, *p2),
            _ => return Err(bad()),
        };
        match body {
            [] => {}
            [le] => c.le = Some(if *le == 0 { 256 } else { usize::from(*le) }),
            [0, hi, lo] => {
                let le = usize::from(u16::from_be_bytes([*hi, *lo]));
                c.le = Some(if le == 0 { 65_536 } else { le });
            }
            [0, hi, lo, rest @ ..] => {
                let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
                if lc == 0 {
                    return Err(bad());
                }
                let (data, le) = rest.split_at_checked(lc).ok_or_else(bad)?;
                c.data = data.to_vec();
                match le {
                    [] => {}
                    [hi, lo] => {
                        let le = usize::from(u16::from_be_bytes([*hi, *lo]));
                        c.le = Some(if le == 0 { 65_536 } else { le });
                    }
                    _ => return Err(bad()),
                }
            }
            [lc, rest @ ..] => {
                let (data, le) = rest.split_at_checked(usize::from(*lc)).ok_or_else(bad)?;
                c.data = data.to_vec();
                match le {
                    [] => {}
                    [le] => c.le = Some(if *le == 0 { 256 } else { usize::from(*le) }),
                    _ => return Err(bad()),
                }
            }
        }
        Ok(c)
    }

    /// The command header bytes.
    pub fn header(&self) -> [u8; 4] {
        [self.cla, self.ins, self.p1, self.p2]
    }
}

/// A response APDU: data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseApdu {
    pub data: Vec<u8>,
    pub sw: StatusWord,
}

impl core::fmt::Debug for ResponseApdu {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "ResponseApdu({} data bytes, {:?})",
            self.data.len(),
            self.sw
        )
    }
}

impl ResponseApdu {
    /// Splits the trailing status word off a raw response.
    pub fn parse(raw: &[u8]) -> Result<Self, ApduError> {
        let Some(split) = raw.len().checked_sub(2) else {
            return Err(ApduError::ResponseTooShort { len: raw.len() });
        };
        let (data, sw) = raw.split_at(split);
        let sw = match sw {
            [a, b] => StatusWord(u16::from_be_bytes([*a, *b])),
            _ => return Err(ApduError::ResponseTooShort { len: raw.len() }),
        };
        Ok(Self {
            data: data.to_vec(),
            sw,
        })
    }

    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Self { data, sw }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.0.to_be_bytes());
        out
    }

    pub fn is_success(&self) -> bool {
        self.sw.is_success()
    }
}

/// The two status bytes SW1 SW2.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl core::fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SW {:04X} ({:?})", self.0, self.meaning())
    }
}

impl core::fmt::Display for StatusWord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

impl StatusWord {
    pub const SUCCESS: Self = Self(0x9000);
    pub const END_OF_FILE: Self = Self(0x6282);
    pub const WRONG_LENGTH: Self = Self(0x6700);
    pub const SECURITY_STATUS_NOT_SATISFIED: Self = Self(0x6982);
    pub const AUTH_METHOD_BLOCKED: Self = Self(0x6983);
    pub const CONDITIONS_NOT_SATISFIED: Self = Self(0x6985);
    pub const SM_OBJECTS_MISSING: Self = Self(0x6987);
    pub const SM_OBJECTS_INCORRECT: Self = Self(0x6988);
    pub const WRONG_DATA: Self = Self(0x6A80);
    pub const FUNCTION_NOT_SUPPORTED: Self = Self(0x6A81);
    pub const FILE_NOT_FOUND: Self = Self(0x6A82);
    pub const WRONG_P1P2_PARAMS: Self = Self(0x6A86);
    pub const REFERENCED_DATA_NOT_FOUND: Self = Self(0x6A88);
    pub const WRONG_P1P2: Self = Self(0x6B00);
    pub const INS_NOT_SUPPORTED: Self = Self(0x6D00);
    pub const CLA_NOT_SUPPORTED: Self = Self(0x6E00);
    pub const NO_PRECISE_DIAGNOSIS: Self = Self(0x6F00);

    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    pub fn sw2(self) -> u8 {
        (self.0 & 0xFF) as u8
    }

    pub fn is_success(self) -> bool {
        self.0 == 0x9000
    }

    pub fn meaning(self) -> Status {
        match (self.sw1(), self.sw2()) {
            (0x90, 0x00) => Status::Success,
            (0x61, n) => Status::MoreData(n),
            (0x62, 0x82) => Status::EndOfFile,
            (0x63, 0x00) => Status::AuthenticationFailed,
            (0x63, n) if n & 0xF0 == 0xC0 => Status::VerificationFailed {
                retries_left: n & 0x0F,
            },
            (0x67, 0x00) => Status::WrongLength,
            (0x69, 0x82) => Status::SecurityStatusNotSatisfied,
            (0x69, 0x83) => Status::AuthenticationMethodBlocked,
            (0x69, 0x85) => Status::ConditionsNotSatisfied,
            (0x69, 0x87) => Status::SmDataObjectsMissing,
            (0x69, 0x88) => Status::SmDataObjectsIncorrect,
            (0x6A, 0x80) => Status::IncorrectData,
            (0x6A, 0x81) => Status::FunctionNotSupported,
            (0x6A, 0x82) => Status::FileNotFound,
            (0x6A, 0x86) => Status::IncorrectP1P2,
            (0x6A, 0x88) => Status::ReferencedDataNotFound,
            (0x6B, 0x00) => Status::WrongP1P2,
            (0x6C, n) => Status::WrongLe(n),
            (0x6D, 0x00) => Status::InsNotSupported,
            (0x6E, 0x00) => Status::ClaNotSupported,
            (0x6F, 0x00) => Status::NoPreciseDiagnosis,
            _ => Status::Other(self.0),
        }
    }
}

/// What a status word means to an eMRTD reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    /// 61xx: more response bytes are available (GET RESPONSE).
    MoreData(u8),
    /// 6282: end of file reached before Le bytes were read.
    EndOfFile,
    /// 6300: authentication failed (no further information).
    AuthenticationFailed,
    /// 63Cx: verification failed, x retries left.
    VerificationFailed {
        retries_left: u8,
    },
    /// 6700: wrong length (Lc or Le).
    WrongLength,
    /// 6982: access control not done or secure messaging missing.
    SecurityStatusNotSatisfied,
    /// 6983: authentication method blocked.
    AuthenticationMethodBlocked,
    /// 6985: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// 6987: expected secure-messaging data objects missing.
    SmDataObjectsMissing,
    /// 6988: secure-messaging data objects incorrect (the chip dropped the session).
    SmDataObjectsIncorrect,
    /// 6A80: incorrect parameters in the data field.
    IncorrectData,
    /// 6A81: function not supported.
    FunctionNotSupported,
    /// 6A82: file or application not found.
    FileNotFound,
    /// 6A86: incorrect P1 P2.
    IncorrectP1P2,
    /// 6A88: referenced data not found.
    ReferencedDataNotFound,
    /// 6B00: wrong P1 P2 (offset outside the EF).
    WrongP1P2,
    /// 6Cxx: wrong Le; xx is the exact length available.
    WrongLe(u8),
    /// 6D00: instruction not supported.
    InsNotSupported,
    /// 6E00: class not supported.
    ClaNotSupported,
    /// 6F00: no precise diagnosis.
    NoPreciseDiagnosis,
    Other(u16),
}

/// What the phone's NFC stack can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportLimits {
    /// Largest command or response APDU the transport can move, in bytes
    /// (Android `IsoDep.getMaxTransceiveLength()`, 261 by default).
    pub max_transceive: usize,
    /// Whether the transport supports extended-length APDUs
    /// (Android `IsoDep.isExtendedLengthApduSupported()`).
    pub extended_length: bool,
}

impl Default for TransportLimits {
    fn default() -> Self {
        Self {
            max_transceive: 261,
            extended_length: false,
        }
    }
}

/// Why the transport could not move an APDU.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransportError {
    /// The chip left the field (Android `TagLostException`, iOS tag connection lost).
    #[error("tag lost")]
    TagLost,
    #[error("transceive timed out")]
    Timeout,
    #[error("command of {len} bytes exceeds the transport's maximum of {max}")]
    TooLong { len: usize, max: usize },
    #[error("transport failure: {0}")]
    Other(String),
}

/// Something that moves APDUs to a chip and back: the phone's NFC stack, a
/// PC/SC reader, or the virtual chip.
#[allow(async_fn_in_trait)]
pub trait Transport {
    fn limits(&self) -> TransportLimits;
    async fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError>;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_forms() {
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(vec![0x01, 0x1E]);
        assert_eq!(
            select.encode().unwrap(),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E]
        );
        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(4);
        assert_eq!(read.encode().unwrap(), [0x00, 0xB0, 0x00, 0x00, 0x04]);
        let read256 = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(256);
        assert_eq!(read256.encode().unwrap(), [0x00, 0xB0, 0x00, 0x00, 0x00]);
        let case1 = CommandApdu::new(0x00, 0x84, 0x00, 0x00);
        assert_eq!(case1.encode().unwrap(), [0x00, 0x84, 0x00, 0x00]);
        let case4 = CommandApdu::new(0x0C, 0xB0, 0, 0)
            .with_data(vec![1, 2])
            .with_le(256);
        assert_eq!(case4.encode().unwrap(), [0x0C, 0xB0, 0, 0, 2, 1, 2, 0]);
    }

    #[test]
    fn extended_forms() {
        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(0x1000);
        assert_eq!(read.encode().unwrap(), [0, 0xB0, 0, 0, 0, 0x10, 0x00]);
        let read_max = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(65_536);
        assert_eq!(read_max.encode().unwrap(), [0, 0xB0, 0, 0, 0, 0, 0]);
        let big = CommandApdu::new(0x00, 0xDA, 0, 0)
            .with_data(vec![7; 300])
            .with_le(300);
        let enc = big.encode().unwrap();
        assert_eq!(&enc[4..7], &[0, 0x01, 0x2C]);
        assert_eq!(&enc[enc.len() - 2..], &[0x01, 0x2C]);
        assert_eq!(enc.len(), 4 + 3 + 300 + 2);
        // A short data field with a long Le switches the whole APDU to extended.
        let mixed = CommandApdu::new(0x0C, 0xB0, 0, 0)
            .with_data(vec![1])
            .with_le(1000);
        assert_eq!(
            mixed.encode().unwrap(),
            [0x0C, 0xB0, 0, 0, 0, 0, 1, 1, 0x03, 0xE8]
        );
    }

    #[test]
    fn encode_errors() {
        assert!(matches!(
            CommandApdu::new(0, 0, 0, 0).with_le(0).encode(),
            Err(ApduError::LeOutOfRange { .. })
        ));
        assert!(matches!(
            CommandApdu::new(0, 0, 0, 0).with_le(65_537).encode(),
            Err(ApduError::LeOutOfRange { .. })
        ));
        assert!(matches!(
            CommandApdu::new(0, 0, 0, 0)
                .with_data(vec![0; 65_536])
                .encode(),
            Err(ApduError::DataTooLong { .. })
        ));
    }

    #[test]
    fn responses() {
        let r = ResponseApdu::parse(&[0x60, 0x14, 0x90, 0x00]).unwrap();
        assert_eq!(r.data, [0x60, 0x14]);
        assert!(r.is_success());
        assert_eq!(r.encode(), [0x60, 0x14, 0x90, 0x00]);
        assert!(ResponseApdu::parse(&[0x90]).is_err());
        assert!(ResponseApdu::parse(&[]).is_err());
        assert_eq!(StatusWord(0x6C10).meaning(), Status::WrongLe(0x10));
        assert_eq!(
            StatusWord(0x63C2).meaning(),
            Status::VerificationFailed { retries_left: 2 }
        );
        assert_eq!(StatusWord(0x6282).meaning(), Status::EndOfFile);
        assert_eq!(StatusWord(0x1234).meaning(), Status::Other(0x1234));
        assert_eq!(format!("{}", StatusWord(0x6A82)), "6A82");
    }

    proptest! {
        #[test]
        fn any_response_parses_or_errors(raw in proptest::collection::vec(any::<u8>(), 0..300)) {
            match ResponseApdu::parse(&raw) {
                Ok(r) => prop_assert_eq!(r.encode(), raw),
                Err(_) => prop_assert!(raw.len() < 2),
            }
        }

        #[test]
        fn command_parse_roundtrip(len in 0usize..400, le in proptest::option::of(1usize..=65_536)) {
            let c = CommandApdu::new(0x0C, 0xB0, 1, 2).with_data(vec![9; len]);
            let c = match le { Some(le) => c.with_le(le), None => c };
            let enc = c.encode().unwrap();
            prop_assert_eq!(CommandApdu::parse(&enc).unwrap(), c);
        }

        #[test]
        fn command_parse_never_panics(raw in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = CommandApdu::parse(&raw);
        }

        #[test]
        fn encoded_lengths_match_form(len in 0usize..400, le in proptest::option::of(1usize..70_000)) {
            let c = CommandApdu::new(0, 0xB0, 0, 0).with_data(vec![0; len]);
            let c = match le { Some(le) => c.with_le(le), None => c };
            match c.encode() {
                Ok(enc) => {
                    let lc = if len == 0 { 0 } else if c.needs_extended() { 3 + len } else { 1 + len };
                    let lef = match le {
                        None => 0,
                        Some(_) if !c.needs_extended() => 1,
                        Some(_) if len == 0 => 3,
                        Some(_) => 2,
                    };
                    prop_assert_eq!(enc.len(), 4 + lc + lef);
                }
                Err(_) => prop_assert!(le.is_some_and(|l| l > EXTENDED_MAX_LE)),
            }
        }
    }
}
