//! A bounded, slice-based BER-TLV reader for the LDS and the CMS structures
//! around it.
//!
//! Chips (and issuers' SOD encoders) send BER, not always DER: long-form
//! lengths that are not minimal, constructed OCTET STRINGs, and now and then
//! indefinite lengths. This reader accepts those, never allocates, and bounds
//! tag size, length size and nesting depth, so a hostile length can only ever
//! produce an error, not an allocation or a panic.

use thiserror::Error;

/// Deepest nesting this reader follows (indefinite-length elements are
/// resolved recursively; definite ones only when a caller descends).
pub const MAX_DEPTH: usize = 16;

/// A malformed TLV. `offset` is relative to the slice handed to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TlvError {
    #[error("truncated tag at offset {offset}")]
    TruncatedTag { offset: usize },
    #[error("tag longer than 3 bytes at offset {offset}")]
    TagTooLong { offset: usize },
    #[error("truncated length at offset {offset}")]
    TruncatedLength { offset: usize },
    #[error("length field of {bytes} bytes at offset {offset} (at most 4)")]
    LengthTooLong { offset: usize, bytes: usize },
    #[error("value of {length} bytes at offset {offset} overruns the {available} bytes left")]
    ValueOverrun {
        offset: usize,
        length: usize,
        available: usize,
    },
    #[error("indefinite length on a primitive element at offset {offset}")]
    IndefinitePrimitive { offset: usize },
    #[error("missing end-of-contents for the indefinite element at offset {offset}")]
    MissingEndOfContents { offset: usize },
    #[error("nesting deeper than {MAX_DEPTH}")]
    TooDeep,
}

/// One element: tag bytes packed big-endian into a `u32` (`0x5F1F`, `0x7F61`,
/// `0x30`, `0xA0`), the value and the whole encoding as read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u32,
    pub constructed: bool,
    pub value: &'a [u8],
    pub raw: &'a [u8],
    /// Offset of the element within the reader's slice.
    pub offset: usize,
}

impl core::fmt::Debug for Tlv<'_> {
    // Values can be personal data; show only shape.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tlv")
            .field("tag", &format_args!("{:#X}", self.tag))
            .field("len", &self.value.len())
            .finish()
    }
}

impl<'a> Tlv<'a> {
    /// Reader over the children of a constructed element.
    pub fn children(&self) -> TlvReader<'a> {
        TlvReader::new(self.value)
    }
}

/// Iterates the TLVs of one level of a slice.
#[derive(Debug, Clone)]
pub struct TlvReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> TlvReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The bytes not yet consumed.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }

    /// Reads the next element, or `None` at the end. Zero padding (`00`)
    /// after the last element is accepted as end of data, as some chips pad
    /// files to a block size.
    pub fn next_tlv(&mut self) -> Result<Option<Tlv<'a>>, TlvError> {
        if self.is_empty() || self.rest().iter().all(|&b| b == 0 || b == 0xFF) {
            self.pos = self.data.len();
            return Ok(None);
        }
        let tlv = read_tlv(self.data, self.pos, 0)?;
        self.pos = tlv.offset + tlv.raw.len();
        Ok(Some(tlv))
    }

    /// The next element, which must exist.
    pub fn expect_any(&mut self) -> Result<Tlv<'a>, Option<TlvError>> {
        match self.next_tlv() {
            Ok(Some(t)) => Ok(t),
            Ok(None) => Err(None),
            Err(e) => Err(Some(e)),
        }
    }

    /// Peeks at the next tag without consuming.
    pub fn peek_tag(&self) -> Option<u32> {
        let mut probe = self.clone();
        probe.next_tlv().ok().flatten().map(|t| t.tag)
    }
}

/// Parses exactly one TLV starting at `data[0]`; trailing bytes are allowed
/// and ignored (files are often padded).
pub fn parse_one(data: &[u8]) -> Result<Tlv<'_>, TlvError> {
    read_tlv(data, 0, 0)
}

/// A decoded tag and length: the one header decoder of the crate (the
/// protocol side's `crate::tlv` reader uses it too, with its own policy on
/// indefinite lengths).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub tag: u32,
    pub constructed: bool,
    /// Offset of the first length byte.
    pub len_offset: usize,
    /// Offset of the first value byte.
    pub value_start: usize,
    /// `None` for the indefinite form (`80`).
    pub length: Option<usize>,
}

/// Why a header does not decode; the offset is where the problem starts
/// (the tag for tag errors, the first length byte for length errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderError {
    TruncatedTag { offset: usize },
    TagTooLong { offset: usize },
    TruncatedLength { offset: usize },
    LengthTooLong { offset: usize, bytes: usize },
}

/// Decodes the tag (at most 3 bytes) and length (definite with at most 4
/// length bytes, or indefinite) starting at `data[start]`. Nothing is
/// sliced from the length: the caller checks it against the input.
pub(crate) fn header(data: &[u8], start: usize) -> Result<Header, HeaderError> {
    let byte = |i: usize| data.get(i).copied();
    let first = byte(start).ok_or(HeaderError::TruncatedTag { offset: start })?;
    let constructed = first & 0x20 != 0;
    let mut tag = u32::from(first);
    let mut pos = start + 1;
    if first & 0x1F == 0x1F {
        // High tag number form: continuation bytes have bit 8 set.
        let mut n = 0;
        loop {
            let b = byte(pos).ok_or(HeaderError::TruncatedTag { offset: start })?;
            n += 1;
            if n > 2 {
                return Err(HeaderError::TagTooLong { offset: start });
            }
            tag = (tag << 8) | u32::from(b);
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let len_offset = pos;
    let len_byte = byte(pos).ok_or(HeaderError::TruncatedLength { offset: len_offset })?;
    pos += 1;
    let length = if len_byte == 0x80 {
        None
    } else if len_byte < 0x80 {
        Some(usize::from(len_byte))
    } else {
        let n = usize::from(len_byte & 0x7F);
        if n > 4 {
            return Err(HeaderError::LengthTooLong {
                offset: len_offset,
                bytes: n,
            });
        }
        let bytes = data
            .get(pos..pos + n)
            .ok_or(HeaderError::TruncatedLength { offset: len_offset })?;
        pos += n;
        Some(
            bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b)),
        )
    };
    Ok(Header {
        tag,
        constructed,
        len_offset,
        value_start: pos,
        length,
    })
}

fn read_tlv(data: &[u8], start: usize, depth: usize) -> Result<Tlv<'_>, TlvError> {
    if depth > MAX_DEPTH {
        return Err(TlvError::TooDeep);
    }
    let byte = |i: usize| data.get(i).copied();
    let h = header(data, start).map_err(|e| match e {
        HeaderError::TruncatedTag { offset } => TlvError::TruncatedTag { offset },
        HeaderError::TagTooLong { offset } => TlvError::TagTooLong { offset },
        HeaderError::TruncatedLength { offset } => TlvError::TruncatedLength { offset },
        HeaderError::LengthTooLong { offset, bytes } => TlvError::LengthTooLong { offset, bytes },
    })?;
    let (tag, constructed, pos) = (h.tag, h.constructed, h.value_start);
    let Some(length) = h.length else {
        if !constructed {
            return Err(TlvError::IndefinitePrimitive { offset: start });
        }
        // Indefinite: children until 00 00.
        let mut child = pos;
        loop {
            if byte(child) == Some(0) && byte(child + 1) == Some(0) {
                let value = data.get(pos..child).unwrap_or(&[]);
                let raw = data.get(start..child + 2).unwrap_or(&[]);
                return Ok(Tlv {
                    tag,
                    constructed,
                    value,
                    raw,
                    offset: start,
                });
            }
            if child >= data.len() {
                return Err(TlvError::MissingEndOfContents { offset: start });
            }
            let c = read_tlv(data, child, depth + 1)?;
            child = c.offset + c.raw.len();
        }
    };
    let available = data.len().saturating_sub(pos);
    if length > available {
        return Err(TlvError::ValueOverrun {
            offset: start,
            length,
            available,
        });
    }
    Ok(Tlv {
        tag,
        constructed,
        value: data.get(pos..pos + length).unwrap_or(&[]),
        raw: data.get(start..pos + length).unwrap_or(&[]),
        offset: start,
    })
}

/// Reads an unsigned INTEGER value (big-endian, at most 8 significant bytes).
pub fn uint_value(value: &[u8]) -> Option<u64> {
    let trimmed = strip_leading_zeros(value);
    if value.is_empty() || trimmed.len() > 8 || value.first().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    Some(
        trimmed
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
    )
}

/// Drops sign-padding zeros from a big-endian integer.
pub fn strip_leading_zeros(value: &[u8]) -> &[u8] {
    let first = value.iter().position(|&b| b != 0).unwrap_or(value.len());
    value.get(first..).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[cfg(feature = "reader")]
    proptest::proptest! {
        /// The protocol side's reader and this one decode every definite
        /// header the same way (one decoder, one set of limits).
        #[test]
        fn both_readers_agree(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let a = parse_one(&data);
            let b = crate::tlv::TlvReader::new(&data).next_tlv();
            match (a, b) {
                (Ok(x), Ok(Some(y))) => {
                    proptest::prop_assert_eq!(x.tag, y.tag);
                    proptest::prop_assert_eq!(x.value, y.value);
                }
                // Indefinite lengths are BER-only (documents), never in APDUs.
                (Ok(x), Err(crate::tlv::TlvError::IndefiniteLength { .. })) => {
                    proptest::prop_assert!(x.constructed);
                }
                (Err(_), Err(_)) => {}
                (Err(_), Ok(None)) => proptest::prop_assert!(data.is_empty()),
                (x, y) => proptest::prop_assert!(false, "{x:?} vs {y:?}"),
            }
        }
    }

    #[test]
    fn short_long_and_multibyte_tags() {
        let data = [0x5F, 0x1F, 0x81, 0x02, 0xAA, 0xBB];
        let t = parse_one(&data).unwrap();
        assert_eq!(t.tag, 0x5F1F);
        assert_eq!(t.value, &[0xAA, 0xBB]);
        assert_eq!(t.raw.len(), 6);
    }

    #[test]
    fn indefinite_length() {
        let data = [0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00];
        let t = parse_one(&data).unwrap();
        assert_eq!(t.value, &[0x02, 0x01, 0x05]);
        assert_eq!(t.raw.len(), 7);
    }

    #[test]
    fn errors_are_typed() {
        assert_eq!(
            parse_one(&[0x30, 0x05, 0x00]),
            Err(TlvError::ValueOverrun {
                offset: 0,
                length: 5,
                available: 1
            })
        );
        assert!(matches!(
            parse_one(&[0x30, 0x85, 1, 2, 3, 4, 5]),
            Err(TlvError::LengthTooLong { .. })
        ));
        assert!(matches!(
            parse_one(&[0x04, 0x80, 0, 0]),
            Err(TlvError::IndefinitePrimitive { .. })
        ));
        let mut deep = vec![];
        for _ in 0..40 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        assert_eq!(parse_one(&deep), Err(TlvError::TooDeep));
        assert!(parse_one(&[0x5F, 0xFF, 0xFF, 0x01, 0x00]).is_err());
    }

    #[test]
    fn uint_values() {
        assert_eq!(uint_value(&[0x00, 0x80]), Some(128));
        assert_eq!(uint_value(&[0x80]), None);
        assert_eq!(uint_value(&[]), None);
    }
}
