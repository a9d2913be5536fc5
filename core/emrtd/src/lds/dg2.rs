//! DG2: the facial image(s), ICAO 9303-10 §4.7.2 biometric templates holding
//! an ISO/IEC 19794-5 (binary) or ISO/IEC 39794-5 (ASN.1) face record.

use super::ber::{self, Tlv};
use super::{Ctx, LdsError, MAX_LIST, Redacted};

/// Image encoding, from the bytes themselves rather than the header's claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    /// JPEG 2000 in a JP2 box (`0000000C 6A502020`).
    Jpeg2000,
    /// Bare JPEG 2000 codestream (`FF4FFF51`).
    Jpeg2000Codestream,
    Unknown,
}

impl ImageFormat {
    pub fn detect(data: &[u8]) -> Self {
        if data.starts_with(&[0xFF, 0xD8]) {
            Self::Jpeg
        } else if data.starts_with(&[0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20]) {
            Self::Jpeg2000
        } else if data.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
            Self::Jpeg2000Codestream
        } else {
            Self::Unknown
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Jpeg2000 => "image/jp2",
            Self::Jpeg2000Codestream => "image/j2c",
            Self::Unknown => "application/octet-stream",
        }
    }
}

/// Which face record standard the biometric data block used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceEncoding {
    /// ISO/IEC 19794-5 binary record; `version` as in the header (`b"010\0"`).
    Iso19794_5 { version: [u8; 4] },
    /// ISO/IEC 39794-5 ASN.1 record.
    Iso39794_5,
    /// Neither record could be read; the image was found by its signature.
    Unrecognised,
}

/// One facial image with its record metadata. Descriptive attributes
/// (gender, eye and hair colour) and the image bytes are personal data and
/// are redacted from `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImage {
    pub encoding: FaceEncoding,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    /// 19794-5 face image type (0 basic, 1 full frontal, 2 token frontal);
    /// 39794-5 faceImageKind2D.
    pub image_type: Option<u8>,
    /// 19794-5 image data type (0 JPEG, 1 JPEG 2000); 39794-5 imageDataFormat code.
    pub image_data_type: Option<u8>,
    pub colour_space: Option<u8>,
    pub source_type: Option<u8>,
    pub device_type: Option<u16>,
    pub quality: Option<u16>,
    pub feature_points: u16,
    pub expression: Option<u16>,
    pub pose_angle: Option<[u8; 3]>,
    pub gender: Option<u8>,
    pub eye_colour: Option<u8>,
    pub hair_colour: Option<u8>,
    /// BHT format owner and type (`0x0101`/`0x0008` for 19794-5).
    pub format_owner: Option<u16>,
    pub format_type: Option<u16>,
    image: Vec<u8>,
}

impl core::fmt::Debug for FaceImage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FaceImage")
            .field("encoding", &self.encoding)
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("image_type", &self.image_type)
            .field("colour_space", &self.colour_space)
            .field("feature_points", &self.feature_points)
            .field("image", &Redacted(self.image.len()))
            .finish_non_exhaustive()
    }
}

impl FaceImage {
    /// The portrait as stored (JPEG or JPEG 2000 bytes).
    pub fn image(&self) -> &[u8] {
        &self.image
    }

    pub fn into_image(self) -> Vec<u8> {
        self.image
    }
}

/// DG2: all facial images, in template order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg2 {
    pub faces: Vec<FaceImage>,
}

const FILE: &str = "DG2";

impl Dg2 {
    pub fn parse(data: &[u8]) -> Result<Self, LdsError> {
        let cx = Ctx::new(FILE);
        let outer = cx.outer(data, 0x75, "DG2 template")?;
        let mut r = outer.children();
        let group = cx.next(&mut r, 0x7F61, "biometric information group template")?;
        let mut gr = group.children();
        let count = cx.uint(
            &cx.next_any(&mut gr, "number of instances")?,
            "number of instances",
        )?;
        if count > MAX_LIST as u64 {
            return Err(cx.too_many("biometric information templates"));
        }
        let mut faces = Vec::new();
        while let Some(bit) = gr
            .next_tlv()
            .map_err(cx.tlv_err("biometric information template"))?
        {
            if bit.tag != 0x7F60 {
                continue;
            }
            if faces.len() >= MAX_LIST {
                return Err(cx.too_many("facial images"));
            }
            faces.extend(parse_bit(&cx, &bit)?);
        }
        if faces.is_empty() {
            return Err(cx.missing("facial image"));
        }
        Ok(Self { faces })
    }

    /// The first portrait, which is the one to show and compare.
    pub fn portrait(&self) -> Option<&FaceImage> {
        self.faces.first()
    }
}

fn parse_bit(cx: &Ctx, bit: &Tlv<'_>) -> Result<Vec<FaceImage>, LdsError> {
    let mut owner = None;
    let mut ftype = None;
    let mut bdb = None;
    for c in cx.children(bit, "biometric information template")? {
        match c.tag {
            0xA1 => {
                for h in cx.children(&c, "biometric header template")? {
                    match h.tag {
                        0x87 => owner = be_u16(h.value),
                        0x88 => ftype = be_u16(h.value),
                        _ => {}
                    }
                }
            }
            0x5F2E | 0x7F2E => bdb = Some(c),
            _ => {}
        }
    }
    let bdb = bdb.ok_or_else(|| cx.missing("biometric data block"))?;
    // JMRTD and ICAO 9303-10 (8th ed.) tell the encodings apart by the
    // block's tag: 5F2E for 19794-5, 7F2E for 39794-5.
    let mut faces = if bdb.tag == 0x5F2E && bdb.value.starts_with(b"FAC\0") {
        parse_19794(cx, bdb.value)?
    } else if bdb.tag == 0x7F2E {
        vec![parse_39794(cx, bdb.value)?]
    } else {
        vec![by_signature(cx, bdb.value, FaceEncoding::Unrecognised)?]
    };
    for f in &mut faces {
        f.format_owner = owner;
        f.format_type = ftype;
    }
    Ok(faces)
}

fn be_u16(v: &[u8]) -> Option<u16> {
    match v {
        [a, b] => Some(u16::from_be_bytes([*a, *b])),
        [a] => Some(u16::from(*a)),
        _ => None,
    }
}

/// Bounds-checked big-endian cursor over a binary record.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).and_then(|s| s.first().copied())
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).and_then(be_u16)
    }
    fn u32(&mut self) -> Option<u32> {
        let s = self.take(4)?;
        Some(u32::from_be_bytes([
            *s.first()?,
            *s.get(1)?,
            *s.get(2)?,
            *s.get(3)?,
        ]))
    }
}

/// ISO/IEC 19794-5:2005 facial record: 14-byte header, then per image a
/// 20-byte facial information block, 8-byte feature points, a 12-byte image
/// information block and the image.
fn parse_19794(cx: &Ctx, data: &[u8]) -> Result<Vec<FaceImage>, LdsError> {
    let field = "ISO 19794-5 facial record";
    let short = || cx.invalid(field, "truncated");
    let mut c = Cursor { data, pos: 4 };
    let version: [u8; 4] = c
        .take(4)
        .and_then(|v| v.try_into().ok())
        .ok_or_else(short)?;
    let record_len = c.u32().ok_or_else(short)? as usize;
    if record_len > data.len() {
        return Err(cx.invalid(field, "record length exceeds the data block"));
    }
    let count = c.u16().ok_or_else(short)?;
    if usize::from(count) > MAX_LIST {
        return Err(cx.too_many("facial images in the record"));
    }
    if &version != b"010\0" {
        // 19794-5:2011 and later reorganised the blocks; take the image by its
        // signature rather than misreading fields.
        return Ok(vec![by_signature(
            cx,
            data,
            FaceEncoding::Iso19794_5 { version },
        )?]);
    }
    let mut out = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let start = c.pos;
        let block_len = c.u32().ok_or_else(short)? as usize;
        let feature_points = c.u16().ok_or_else(short)?;
        let gender = c.u8().ok_or_else(short)?;
        let eye = c.u8().ok_or_else(short)?;
        let hair = c.u8().ok_or_else(short)?;
        let _property_mask = c.take(3).ok_or_else(short)?;
        let expression = c.u16().ok_or_else(short)?;
        let pose: [u8; 3] = c
            .take(3)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(short)?;
        let _pose_uncertainty = c.take(3).ok_or_else(short)?;
        let fp_len = usize::from(feature_points) * 8;
        c.take(fp_len).ok_or_else(short)?;
        let image_type = c.u8().ok_or_else(short)?;
        let image_data_type = c.u8().ok_or_else(short)?;
        let width = c.u16().ok_or_else(short)?;
        let height = c.u16().ok_or_else(short)?;
        let colour_space = c.u8().ok_or_else(short)?;
        let source_type = c.u8().ok_or_else(short)?;
        let device_type = c.u16().ok_or_else(short)?;
        let quality = c.u16().ok_or_else(short)?;
        let header_len = c.pos - start;
        let image_len = block_len
            .checked_sub(header_len)
            .ok_or_else(|| cx.invalid(field, "block length shorter than its headers"))?;
        let image = c.take(image_len).ok_or_else(short)?;
        out.push(FaceImage {
            encoding: FaceEncoding::Iso19794_5 { version },
            format: ImageFormat::detect(image),
            width: u32::from(width),
            height: u32::from(height),
            image_type: Some(image_type),
            image_data_type: Some(image_data_type),
            colour_space: Some(colour_space),
            source_type: Some(source_type),
            device_type: Some(device_type),
            quality: Some(quality),
            feature_points,
            expression: Some(expression),
            pose_angle: Some(pose),
            gender: Some(gender),
            eye_colour: Some(eye),
            hair_colour: Some(hair),
            format_owner: None,
            format_type: None,
            image: image.to_vec(),
        });
    }
    Ok(out)
}

fn by_signature(cx: &Ctx, data: &[u8], encoding: FaceEncoding) -> Result<FaceImage, LdsError> {
    let at = (0..data.len())
        .find(|&i| {
            data.get(i..)
                .is_some_and(|s| ImageFormat::detect(s) != ImageFormat::Unknown)
        })
        .ok_or_else(|| cx.missing("image data"))?;
    let image = data.get(at..).unwrap_or(&[]);
    Ok(blank(encoding, image))
}

fn blank(encoding: FaceEncoding, image: &[u8]) -> FaceImage {
    FaceImage {
        encoding,
        format: ImageFormat::detect(image),
        width: 0,
        height: 0,
        image_type: None,
        image_data_type: None,
        colour_space: None,
        source_type: None,
        device_type: None,
        quality: None,
        feature_points: 0,
        expression: None,
        pose_angle: None,
        gender: None,
        eye_colour: None,
        hair_colour: None,
        format_owner: None,
        format_type: None,
        image: image.to_vec(),
    }
}

/// ISO/IEC 39794-5 (implicit tags):
/// `FaceImageDataBlock ::= [APPLICATION 5] { [0] version, [1] SEQUENCE OF RepresentationBlock }`,
/// `RepresentationBlock ::= SEQUENCE { [0] id, [1] ImageRepresentation, ... }`,
/// `ImageRepresentation ::= CHOICE { base [0] CHOICE { 2D [0] { [0] data, [1] info } } }`.
fn parse_39794(cx: &Ctx, data: &[u8]) -> Result<FaceImage, LdsError> {
    let field = "ISO 39794-5 face image data block";
    let mut node = ber::parse_one(data).map_err(cx.tlv_err(field))?;
    // Issuers differ on the wrappers around the block (7F2E { A1 { 65 {..} } },
    // [5] explicit, bare content): descend until [0] version and [1]
    // representation blocks sit side by side.
    let mut found = false;
    for _ in 0..4 {
        if child(cx, &node, 0xA0, field)?.is_some() && child(cx, &node, 0xA1, field)?.is_some() {
            found = true;
            break;
        }
        match node.children().next_tlv().map_err(cx.tlv_err(field))? {
            Some(inner) if inner.constructed => node = inner,
            _ => break,
        }
    }
    if !found {
        return Err(cx.missing("representationBlocks"));
    }
    let blocks =
        child(cx, &node, 0xA1, field)?.ok_or_else(|| cx.missing("representationBlocks"))?;
    // SEQUENCE OF RepresentationBlock, or (seen in the wild) a single block.
    let rep = match blocks
        .children()
        .next_tlv()
        .map_err(cx.tlv_err("representationBlock"))?
    {
        Some(first) if first.tag == 0x30 => first,
        Some(_) => blocks,
        None => return Err(cx.missing("representationBlock")),
    };
    let image_rep = child(cx, &rep, 0xA1, "imageRepresentation")?
        .ok_or_else(|| cx.missing("imageRepresentation"))?;
    let base = child(cx, &image_rep, 0xA0, "imageRepresentation base")?
        .ok_or_else(|| cx.missing("imageRepresentation base"))?;
    let rep2d = child(cx, &base, 0xA0, "imageRepresentation2DBlock")?
        .ok_or_else(|| cx.missing("imageRepresentation2DBlock"))?;
    let image = child(cx, &rep2d, 0x80, "representationData2D")?
        .ok_or_else(|| cx.missing("representationData2D"))?;
    let mut face = blank(FaceEncoding::Iso39794_5, image.value);
    if let Some(info) = child(cx, &rep2d, 0xA1, "imageInformation2DBlock")? {
        face.image_data_type = choice_code(cx, &info, 0xA0)?;
        face.image_type = choice_code(cx, &info, 0xA1)?;
        face.colour_space = choice_code(cx, &info, 0xA9)?;
        if let Some(size) = child(cx, &info, 0xA7, "imageSizeBlock")? {
            face.width = small_int(cx, &size, 0x80)?.unwrap_or(0);
            face.height = small_int(cx, &size, 0x81)?.unwrap_or(0);
        }
    }
    if let Some(landmarks) = child(cx, &rep, 0xA9, "landmarkBlocks")? {
        face.feature_points =
            u16::try_from(cx.children(&landmarks, "landmarkBlocks")?.len()).unwrap_or(u16::MAX);
    }
    Ok(face)
}

fn child<'a>(
    cx: &Ctx,
    parent: &Tlv<'a>,
    tag: u32,
    field: &'static str,
) -> Result<Option<Tlv<'a>>, LdsError> {
    let mut r = parent.children();
    while let Some(c) = r.next_tlv().map_err(cx.tlv_err(field))? {
        if c.tag == tag {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

/// A coded field's value: `[n] CHOICE { code [0] ENUMERATED, ... }`, or the
/// extension alternative `[n] CHOICE { extensionBlock [1] SEQUENCE {
/// fallback [0] ENUMERATED, ... } }` that ISO 39794-5 uses for the face
/// image kind, colour space, gender and eye/hair colour.
fn choice_code(cx: &Ctx, parent: &Tlv<'_>, tag: u32) -> Result<Option<u8>, LdsError> {
    let Some(c) = child(cx, parent, tag, "coded field")? else {
        return Ok(None);
    };
    let code = match small_int(cx, &c, 0x80)? {
        Some(v) => Some(v),
        None => match child(cx, &c, 0xA1, "extensionBlock")? {
            Some(ext) => small_int(cx, &ext, 0x80)?,
            None => None,
        },
    };
    Ok(code.and_then(|v| u8::try_from(v).ok()))
}

fn small_int(cx: &Ctx, parent: &Tlv<'_>, tag: u32) -> Result<Option<u32>, LdsError> {
    Ok(child(cx, parent, tag, "integer field")?
        .and_then(|t| ber::uint_value(t.value))
        .and_then(|v| u32::try_from(v).ok()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
        let mut v = tag.to_vec();
        let n = value.len();
        if n < 0x80 {
            v.push(n as u8);
        } else if n < 0x100 {
            v.extend_from_slice(&[0x81, n as u8]);
        } else {
            v.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
        }
        v.extend_from_slice(value);
        v
    }

    fn dg2_with(bdb_tag: &[u8], bdb: &[u8]) -> Vec<u8> {
        let bht = tlv(
            &[0xA1],
            &[tlv(&[0x87], &[1, 1]), tlv(&[0x88], &[0, 8])].concat(),
        );
        let bit = tlv(&[0x7F, 0x60], &[bht, tlv(bdb_tag, bdb)].concat());
        let group = tlv(&[0x7F, 0x61], &[vec![2, 1, 1], bit].concat());
        tlv(&[0x75], &group)
    }

    fn fac_record(image: &[u8], w: u16, h: u16) -> Vec<u8> {
        let block_len = (20 + 12 + image.len()) as u32;
        let mut v = b"FAC\x00010\x00".to_vec();
        v.extend_from_slice(&(14 + block_len).to_be_bytes());
        v.extend_from_slice(&1u16.to_be_bytes());
        v.extend_from_slice(&block_len.to_be_bytes());
        v.extend_from_slice(&[0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        v.extend_from_slice(&[1, 0]);
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&[1, 2, 0, 0, 0, 0]);
        v.extend_from_slice(image);
        v
    }

    #[test]
    fn iso19794_jpeg() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9];
        let dg2 = Dg2::parse(&dg2_with(&[0x5F, 0x2E], &fac_record(&jpeg, 240, 320))).unwrap();
        let face = dg2.portrait().unwrap();
        assert_eq!(face.format, ImageFormat::Jpeg);
        assert_eq!((face.width, face.height), (240, 320));
        assert_eq!(face.image(), &jpeg);
        assert_eq!(face.format_type, Some(8));
        assert_eq!(face.image_type, Some(1));
        assert!(!format!("{face:?}").contains("255"));
    }

    #[test]
    fn iso19794_jp2_codestream() {
        let j2k = [0xFF, 0x4F, 0xFF, 0x51, 9, 9];
        let dg2 = Dg2::parse(&dg2_with(&[0x5F, 0x2E], &fac_record(&j2k, 10, 20))).unwrap();
        assert_eq!(dg2.faces[0].format, ImageFormat::Jpeg2000Codestream);
    }

    #[test]
    fn iso39794() {
        let jp2 = [0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A];
        let size = tlv(
            &[0xA7],
            &[tlv(&[0x80], &[0x01, 0xE0]), tlv(&[0x81], &[0x02, 0x80])].concat(),
        );
        let info = tlv(&[0xA1], &[tlv(&[0xA0], &tlv(&[0x80], &[3])), size].concat());
        let rep2d = tlv(&[0xA0], &[tlv(&[0x80], &jp2), info].concat());
        let rep = tlv(
            &[0x30],
            &[tlv(&[0x80], &[0]), tlv(&[0xA1], &tlv(&[0xA0], &rep2d))].concat(),
        );
        let version = tlv(
            &[0xA0],
            &[tlv(&[0x80], &[0]), tlv(&[0x81], &[0x07, 0xE3])].concat(),
        );
        let block = tlv(&[0x65], &[version, tlv(&[0xA1], &rep)].concat());
        let dg2 = Dg2::parse(&dg2_with(&[0x7F, 0x2E], &block)).unwrap();
        let face = &dg2.faces[0];
        assert_eq!(face.encoding, FaceEncoding::Iso39794_5);
        assert_eq!(face.format, ImageFormat::Jpeg2000);
        assert_eq!((face.width, face.height), (480, 640));
        assert_eq!(face.image_data_type, Some(3));
        assert_eq!(face.image(), &jp2);
    }

    #[test]
    fn iso39794_jmrtd_wrapping_and_single_block() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xD9];
        let rep2d = tlv(&[0xA0], &tlv(&[0x80], &jpeg));
        // [1] holding one block directly rather than a SEQUENCE OF.
        let rep_fields = [tlv(&[0x80], &[0]), tlv(&[0xA1], &tlv(&[0xA0], &rep2d))].concat();
        let version = tlv(
            &[0xA0],
            &[tlv(&[0x80], &[0]), tlv(&[0x81], &[0x07, 0xE3])].concat(),
        );
        let block = tlv(
            &[0xA1],
            &tlv(&[0x65], &[version, tlv(&[0xA1], &rep_fields)].concat()),
        );
        let dg2 = Dg2::parse(&dg2_with(&[0x7F, 0x2E], &block)).unwrap();
        assert_eq!(dg2.faces[0].format, ImageFormat::Jpeg);
        assert_eq!(dg2.faces[0].image(), &jpeg);
    }

    #[test]
    fn unknown_record_falls_back_to_the_image_signature() {
        let data = [b"XYZ\0junk".as_slice(), &[0xFF, 0xD8, 0xFF, 0xD9]].concat();
        let dg2 = Dg2::parse(&dg2_with(&[0x5F, 0x2E], &data)).unwrap();
        assert_eq!(dg2.faces[0].encoding, FaceEncoding::Unrecognised);
        assert_eq!(dg2.faces[0].image().len(), 4);
    }

    #[test]
    fn lying_block_length_is_rejected() {
        let mut rec = fac_record(&[0xFF, 0xD8], 1, 1);
        rec[14..18].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(Dg2::parse(&dg2_with(&[0x5F, 0x2E], &rec)).is_err());
    }
}
