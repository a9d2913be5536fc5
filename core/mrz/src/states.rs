//! The codes an issuing state or a nationality may take: ISO 3166-1 alpha-3
//! and ICAO's own codes (ICAO 9303 Part 3, 5).

/// ISO 3166-1 alpha-3, sorted (249 codes).
const ISO_3166_ALPHA_3: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM",
    "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN",
    "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ",
    "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE",
    "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS",
    "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL",
    "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
    "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
    "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL",
    "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY",
    "USA", "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF",
    "ZMB", "ZWE",
];

/// ICAO's codes that are not ISO 3166 countries (ICAO 9303 Part 3, 5), and
/// Kosovo's `RKS`, which its own passports carry.
const SPECIAL_CODES: &[(&str, &str)] = &[
    ("D", "Germany"),
    ("UTO", "Utopia (specimen documents)"),
    ("XXA", "stateless person"),
    ("XXB", "refugee (1951 Convention)"),
    ("XXC", "refugee (other)"),
    ("XXX", "unspecified nationality"),
    ("UNO", "United Nations Organization"),
    ("UNA", "United Nations specialized agency"),
    ("UNK", "Kosovo (UNMIK)"),
    ("RKS", "Kosovo"),
    ("EUE", "European Union"),
    ("XOM", "Sovereign Military Order of Malta"),
    ("XPO", "INTERPOL"),
    ("XBA", "African Development Bank"),
    ("XIM", "African Export-Import Bank"),
    ("XCC", "Caribbean Community"),
    ("XCE", "Council of Europe"),
    ("XCO", "Common Market for Eastern and Southern Africa"),
    ("XEC", "Economic Community of West African States"),
    ("XES", "Organisation of Eastern Caribbean States"),
    ("XMP", "International Organization for Migration"),
    ("XDC", "Southern African Development Community"),
    ("GBD", "British Overseas Territories citizen"),
    ("GBN", "British National (Overseas)"),
    ("GBO", "British Overseas citizen"),
    ("GBP", "British protected person"),
    ("GBS", "British subject"),
];

/// What an ICAO special code (fillers removed: `D`, `UTO`, `XXA` ...) stands
/// for; `None` for ordinary ISO 3166 alpha-3 codes.
pub fn special_code(code: &str) -> Option<&'static str> {
    SPECIAL_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, what)| *what)
}

/// Whether `code` (fillers removed) is a state or organization a document
/// can name: ISO 3166-1 alpha-3 or one of ICAO's own codes. A reader that
/// sees another code has most likely misread one of these.
pub fn is_known_state(code: &str) -> bool {
    ISO_3166_ALPHA_3.binary_search(&code).is_ok() || special_code(code).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_iso_list_is_sorted_and_complete() {
        assert_eq!(ISO_3166_ALPHA_3.len(), 249);
        assert!(ISO_3166_ALPHA_3.windows(2).all(|w| w[0] < w[1]));
        assert!(
            ISO_3166_ALPHA_3
                .iter()
                .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
    }

    #[test]
    fn states_are_known_by_iso_or_icao_code() {
        for code in ["NOR", "SWE", "DEU", "D", "UTO", "XXA", "EUE", "GBD", "RKS"] {
            assert!(is_known_state(code), "{code}");
        }
        for code in ["SWF", "N0R", "", "NO", "NORW", "XXD", "DE"] {
            assert!(!is_known_state(code), "{code}");
        }
    }
}
