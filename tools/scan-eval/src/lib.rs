//! What the evaluation tools share: the truth file of the real images and the
//! labels of the independent renderer's frames.

use aktiver_scan::{LumaImage, Rotation};
use std::path::{Path, PathBuf};

/// An image file (PNG or JPEG) decoded upright, or why not.
pub fn load_image(path: impl AsRef<Path>) -> Result<LumaImage, String> {
    std::fs::read(path.as_ref())
        .map_err(|e| e.to_string())
        .and_then(|b| aktiver_scan::still::decode(&b).map_err(|e| e.to_string()))
}

/// The value of `--runs N` (at least 1; 1 when absent or not a number).
pub fn runs_arg(args: &[String]) -> usize {
    args.iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1)
}

/// `img` turned clockwise by `rot`.
pub fn turned(img: &LumaImage, rot: Rotation) -> LumaImage {
    if rot == Rotation::R0 {
        return img.clone();
    }
    // The camera-buffer helper stores the pixels so that `rot` turns them
    // back upright: that buffer is the image turned the other way.
    let back = match rot {
        Rotation::R90 => Rotation::R270,
        Rotation::R270 => Rotation::R90,
        r => r,
    };
    let (data, width, height, _) = img.to_camera_buffer(back, 0);
    LumaImage {
        width,
        height,
        data,
    }
}

/// One line of the truth file: `FILE<TAB>KIND<TAB>MRZ` with the MRZ's lines
/// joined by `|`; KIND is a format name (`td1`, `td2`, `td3`, `mrv_a`,
/// `mrv_b`), `none` for an image without an MRZ, or `skip` (with a reason in
/// the third column) for an image that is not a fair test.
pub struct Truth {
    pub file: String,
    pub kind: String,
    pub lines: Vec<String>,
}

pub fn load_truth(path: &Path) -> Result<Vec<Truth>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(file), Some(kind)) = (cols.first(), cols.get(1)) else {
            return Err(format!(
                "{}:{}: want FILE<TAB>KIND[<TAB>MRZ]",
                path.display(),
                n + 1
            ));
        };
        let lines: Vec<String> = match (*kind, cols.get(2)) {
            ("none" | "skip", _) => Vec::new(),
            (_, Some(mrz)) => mrz.split('|').map(str::to_string).collect(),
            (_, None) => return Err(format!("{}:{}: MRZ missing", path.display(), n + 1)),
        };
        if !lines.is_empty() {
            // The truth is typed by hand from the images: every one must
            // parse with valid check digits (or say why not in its kind).
            let parsed = aktiver_mrz::parse(&lines.join("\n"));
            let ok = parsed.as_ref().is_ok_and(|m| m.is_valid());
            let fmt = parsed.as_ref().map(|m| m.format.name()).unwrap_or("?");
            if !ok || fmt != *kind {
                eprintln!("warning: {file}: truth parses as {fmt}, valid={ok} (kind {kind})");
            }
        }
        out.push(Truth {
            file: (*file).to_string(),
            kind: (*kind).to_string(),
            lines,
        });
    }
    Ok(out)
}

/// The default real-image directory and truth file (`fetch-passporteye.sh`).
pub fn default_real_images() -> (PathBuf, PathBuf) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("../../target"));
    (
        target.join("realimages/passporteye"),
        root.join("data/passporteye.tsv"),
    )
}

/// The acceptance rules named in `SCAN_RULES_OFF` (comma-separated
/// `aktiver_scan::rules::Rule` names, e.g. `glyph_model`), to run a tool
/// with them switched off: `realimages`, `independent` and `report` honour it.
pub fn rules_off() -> Vec<aktiver_scan::rules::Rule> {
    let names = std::env::var("SCAN_RULES_OFF").unwrap_or_default();
    let off: Vec<_> = aktiver_scan::rules::Rule::ALL
        .into_iter()
        .filter(|r| names.split(',').any(|n| n.trim() == r.name()))
        .collect();
    if !off.is_empty() {
        eprintln!("rules off: {:?}", off);
    }
    off
}
