//! A small bounded BER-TLV reader and writer (ISO 7816-4 / X.690 subset).
//!
//! Tags are up to 3 bytes, lengths definite and up to 4 length bytes. Every
//! length is checked against the remaining input before anything is sliced,
//! and values are borrowed, so parsing never allocates from chip-supplied
//! lengths. Nested walks carry a depth that is bounded by [`MAX_DEPTH`].

use thiserror::Error;

/// Deepest nesting accepted: the crate's one limit (see `lds::ber`).
pub const MAX_DEPTH: usize = crate::lds::ber::MAX_DEPTH;

/// Why bytes are not a valid TLV, with the byte offset into the parsed input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TlvError {
    #[error("input ends inside a tag at offset {offset}")]
    TruncatedTag { offset: usize },
    #[error("tag at offset {offset} is longer than 3 bytes")]
    TagTooLong { offset: usize },
    #[error("input ends inside a length at offset {offset}")]
    TruncatedLength { offset: usize },
    #[error("indefinite length at offset {offset} is not allowed")]
    IndefiniteLength { offset: usize },
    #[error("length at offset {offset} uses more than 4 bytes")]
    LengthTooLong { offset: usize },
    #[error("value of {len} bytes at offset {offset} exceeds the {remaining} bytes left")]
    ValueExceedsInput {
        offset: usize,
        len: usize,
        remaining: usize,
    },
    #[error("nesting deeper than {max} levels at offset {offset}")]
    TooDeep { offset: usize, max: usize },
    #[error("expected tag {expected:X} at offset {offset}, found {found:X}")]
    UnexpectedTag {
        offset: usize,
        expected: u32,
        found: u32,
    },
    #[error("tag {tag:X} not found")]
    Missing { tag: u32 },
    #[error("{extra} trailing bytes after the TLV at offset {offset}")]
    TrailingBytes { offset: usize, extra: usize },
}

/// One parsed TLV; the value borrows from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag bytes read big-endian into an integer (e.g. `0x5F1F`, `0x7F61`).
    pub tag: u32,
    pub value: &'a [u8],
    /// The whole encoding, tag and length included (hashes are taken over raw bytes).
    pub raw: &'a [u8],
    /// Offset of the tag in the outermost input, for error messages.
    pub offset: usize,
    depth: usize,
}

impl<'a> Tlv<'a> {
    /// Whether the tag's constructed bit is set (its value is more TLVs).
    pub fn is_constructed(&self) -> bool {
        let first = tag_first_byte(self.tag);
        first & 0x20 != 0
    }

    /// The TLVs inside this one's value, one nesting level deeper.
    pub fn children(&self) -> Result<TlvReader<'a>, TlvError> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(TlvError::TooDeep {
                offset: self.offset,
                max: MAX_DEPTH,
            });
        }
        let value_offset = self.offset + (self.raw.len() - self.value.len());
        Ok(TlvReader {
            input: self.value,
            pos: 0,
            base: value_offset,
            depth,
        })
    }

    /// The first child with `tag`.
    pub fn find(&self, tag: u32) -> Result<Option<Tlv<'a>>, TlvError> {
        self.children()?.find_tag(tag)
    }

    /// The first child with `tag`, or [`TlvError::Missing`].
    pub fn require(&self, tag: u32) -> Result<Tlv<'a>, TlvError> {
        self.find(tag)?.ok_or(TlvError::Missing { tag })
    }
}

fn tag_first_byte(tag: u32) -> u8 {
    let bytes = tag.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(3);
    bytes.get(skip).copied().unwrap_or(0)
}

/// Iterates over consecutive TLVs in a byte slice.
#[derive(Debug, Clone)]
pub struct TlvReader<'a> {
    input: &'a [u8],
    pos: usize,
    base: usize,
    depth: usize,
}

impl<'a> TlvReader<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            pos: 0,
            base: 0,
            depth: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.input.len()
    }

    /// The bytes not yet consumed.
    pub fn remaining(&self) -> &'a [u8] {
        self.input.get(self.pos..).unwrap_or(&[])
    }

    /// Reads the next TLV, or `None` at the end of input.
    pub fn next_tlv(&mut self) -> Result<Option<Tlv<'a>>, TlvError> {
        if self.is_empty() {
            return Ok(None);
        }
        let start = self.pos;
        let abs = |p: usize| self.base + p;
        let input = self.input;

        // Tag and length: the crate's one header decoder (lds::ber); chip
        // responses must use definite lengths.
        use crate::lds::ber::{HeaderError, header};
        let h = header(input, start).map_err(|e| match e {
            HeaderError::TruncatedTag { offset } => TlvError::TruncatedTag {
                offset: abs(offset),
            },
            HeaderError::TagTooLong { offset } => TlvError::TagTooLong {
                offset: abs(offset),
            },
            HeaderError::TruncatedLength { offset } => TlvError::TruncatedLength {
                offset: abs(offset),
            },
            HeaderError::LengthTooLong { offset, .. } => TlvError::LengthTooLong {
                offset: abs(offset),
            },
        })?;
        let tag = h.tag;
        let p = h.value_start;
        let len = h.length.ok_or(TlvError::IndefiniteLength {
            offset: abs(h.len_offset),
        })?;

        let remaining = input.len().saturating_sub(p);
        if len > remaining {
            return Err(TlvError::ValueExceedsInput {
                offset: abs(start),
                len,
                remaining,
            });
        }
        let end = p + len;
        let value = input.get(p..end).ok_or(TlvError::ValueExceedsInput {
            offset: abs(start),
            len,
            remaining,
        })?;
        let raw = input.get(start..end).unwrap_or(value);
        self.pos = end;
        Ok(Some(Tlv {
            tag,
            value,
            raw,
            offset: abs(start),
            depth: self.depth,
        }))
    }

    /// The first TLV with `tag` among the remaining ones (not recursive).
    pub fn find_tag(mut self, tag: u32) -> Result<Option<Tlv<'a>>, TlvError> {
        while let Some(t) = self.next_tlv()? {
            if t.tag == tag {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }

    /// Reads the next TLV and insists on its tag.
    pub fn expect(&mut self, tag: u32) -> Result<Tlv<'a>, TlvError> {
        let offset = self.base + self.pos;
        match self.next_tlv()? {
            Some(t) if t.tag == tag => Ok(t),
            Some(t) => Err(TlvError::UnexpectedTag {
                offset,
                expected: tag,
                found: t.tag,
            }),
            None => Err(TlvError::Missing { tag }),
        }
    }
}

impl<'a> Iterator for TlvReader<'a> {
    type Item = Result<Tlv<'a>, TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_tlv() {
            Ok(Some(t)) => Some(Ok(t)),
            Ok(None) => None,
            Err(e) => {
                // Stop after an error so a caller's loop cannot spin.
                self.pos = self.input.len();
                Some(Err(e))
            }
        }
    }
}

/// Parses exactly one TLV that spans the whole input.
pub fn parse_single(input: &[u8]) -> Result<Tlv<'_>, TlvError> {
    let mut r = TlvReader::new(input);
    let t = r.next_tlv()?.ok_or(TlvError::TruncatedTag { offset: 0 })?;
    if !r.is_empty() {
        return Err(TlvError::TrailingBytes {
            offset: t.raw.len(),
            extra: r.remaining().len(),
        });
    }
    Ok(t)
}

/// Parses the tag and length of a TLV from a prefix of its encoding and
/// returns (tag, header length, value length). Used to learn a file's total
/// size from its first bytes before the whole file has been read.
pub fn parse_header(prefix: &[u8]) -> Result<(u32, usize, usize), TlvError> {
    let mut p = 0usize;
    let first = *prefix.first().ok_or(TlvError::TruncatedTag { offset: 0 })?;
    let mut tag = u32::from(first);
    p += 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *prefix.get(p).ok_or(TlvError::TruncatedTag { offset: 0 })?;
            p += 1;
            if p > 3 {
                return Err(TlvError::TagTooLong { offset: 0 });
            }
            tag = (tag << 8) | u32::from(b);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let l0 = *prefix
        .get(p)
        .ok_or(TlvError::TruncatedLength { offset: p })?;
    let len_offset = p;
    p += 1;
    let len = if l0 < 0x80 {
        usize::from(l0)
    } else if l0 == 0x80 {
        return Err(TlvError::IndefiniteLength { offset: len_offset });
    } else {
        let n = usize::from(l0 & 0x7F);
        if n > 4 {
            return Err(TlvError::LengthTooLong { offset: len_offset });
        }
        let mut len = 0usize;
        for _ in 0..n {
            let b = *prefix
                .get(p)
                .ok_or(TlvError::TruncatedLength { offset: len_offset })?;
            p += 1;
            len = (len << 8) | usize::from(b);
        }
        len
    };
    Ok((tag, p, len))
}

/// Appends the BER encoding of `len`.
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let used = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | used.len() as u8);
        out.extend_from_slice(used);
    }
}

/// Appends the tag bytes (1-3 bytes, no leading zeros).
pub fn encode_tag(tag: u32, out: &mut Vec<u8>) {
    let bytes = tag.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(3);
    out.extend_from_slice(bytes.get(skip..).unwrap_or(&[0]));
}

/// The encoding of one TLV.
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 8);
    encode_tag(tag, &mut out);
    encode_length(value.len(), &mut out);
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_ef_com() {
        let com = hex("60145F0104303130365F36063034303030305C026175");
        let t = parse_single(&com).unwrap();
        assert_eq!(t.tag, 0x60);
        assert!(t.is_constructed());
        let mut kids = t.children().unwrap();
        let v = kids.expect(0x5F01).unwrap();
        assert_eq!(v.value, b"0106");
        let u = kids.expect(0x5F36).unwrap();
        assert_eq!(u.value, b"040000");
        let list = kids.expect(0x5C).unwrap();
        assert_eq!(list.value, [0x61, 0x75]);
        assert_eq!(list.offset, 20 - 2);
        assert!(kids.next_tlv().unwrap().is_none());
        assert_eq!(t.require(0x5C).unwrap().value, [0x61, 0x75]);
        assert!(matches!(
            t.require(0x77),
            Err(TlvError::Missing { tag: 0x77 })
        ));
    }

    #[test]
    fn long_lengths_and_headers() {
        let value = vec![0xAB; 300];
        let enc = encode(0x7F61, &value);
        assert_eq!(&enc[..5], &[0x7F, 0x61, 0x82, 0x01, 0x2C]);
        let t = parse_single(&enc).unwrap();
        assert_eq!(t.tag, 0x7F61);
        assert_eq!(t.value.len(), 300);
        assert_eq!(parse_header(&enc[..5]).unwrap(), (0x7F61, 5, 300));
        assert_eq!(
            parse_header(&[0x75, 0x81]),
            Err(TlvError::TruncatedLength { offset: 1 })
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            parse_single(&[0x04, 0x05, 1, 2]),
            Err(TlvError::ValueExceedsInput {
                len: 5,
                remaining: 2,
                ..
            })
        ));
        assert!(matches!(
            parse_single(&[0x30, 0x80, 0, 0]),
            Err(TlvError::IndefiniteLength { .. })
        ));
        assert!(matches!(
            parse_single(&[0x04, 0x85, 1, 1, 1, 1, 1]),
            Err(TlvError::LengthTooLong { .. })
        ));
        assert!(matches!(
            parse_single(&[0x5F, 0x81, 0x81, 0x01, 0x00]),
            Err(TlvError::TagTooLong { .. })
        ));
        assert!(matches!(
            parse_single(&[0x5F]),
            Err(TlvError::TruncatedTag { .. })
        ));
        assert!(matches!(
            parse_single(&[0x04, 0x00, 0x00]),
            Err(TlvError::TrailingBytes { extra: 1, .. })
        ));
        // A huge declared length is refused before anything is allocated.
        assert!(matches!(
            parse_single(&[0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]),
            Err(TlvError::ValueExceedsInput { .. })
        ));
    }

    #[test]
    fn depth_is_bounded() {
        let mut enc = vec![0x04, 0x00];
        for _ in 0..(MAX_DEPTH + 2) {
            enc = encode(0x30, &enc);
        }
        let mut t = parse_single(&enc).unwrap();
        let mut levels = 0;
        let err = loop {
            match t.children() {
                Ok(mut c) => match c.next_tlv().unwrap() {
                    Some(next) => {
                        t = next;
                        levels += 1;
                    }
                    None => break None,
                },
                Err(e) => break Some(e),
            }
        };
        assert!(matches!(err, Some(TlvError::TooDeep { .. })));
        assert_eq!(levels, MAX_DEPTH);
    }

    fn walk(t: &Tlv<'_>) -> Result<usize, TlvError> {
        let mut n = 1;
        if t.is_constructed() {
            for c in t.children()? {
                n += walk(&c?)?;
            }
        }
        Ok(n)
    }

    proptest! {
        #[test]
        fn never_panics(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
            for t in TlvReader::new(&raw) {
                match t {
                    Ok(t) => { let _ = walk(&t); }
                    Err(_) => break,
                }
            }
            let _ = parse_header(&raw);
        }

        #[test]
        fn roundtrip(tag in prop_oneof![1u32..0x1F, 0x5F01u32..0x5F7F, 0x7F21u32..0x7F7F],
                     value in proptest::collection::vec(any::<u8>(), 0..600)) {
            let enc = encode(tag, &value);
            let t = parse_single(&enc).unwrap();
            prop_assert_eq!(t.tag, tag);
            prop_assert_eq!(t.value, &value[..]);
            prop_assert_eq!(t.raw, &enc[..]);
        }
    }

    pub(crate) fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}
