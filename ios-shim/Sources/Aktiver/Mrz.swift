import Foundation

/// Reading a machine-readable zone (ICAO 9303 TD1, TD2, TD3 and visas).
///
/// Both calls throw ``MrzError`` for text that is not an MRZ at all; text that
/// is an MRZ but fails its check digits comes back with `valid == false`.
public enum Mrz {
    /// Parse MRZ text, lines separated by newlines, without changing anything.
    public static func parse(_ text: String) throws -> MrzDocument {
        try parseMrz(text: text)
    }

    /// Parse MRZ lines as recognised one by one (for example by an OCR engine).
    public static func parse(lines: [String]) throws -> MrzDocument {
        try parseMrz(text: lines.joined(separator: "\n"))
    }

    /// Parse and fix typical OCR confusions (`O`/`0`, `I`/`1`, `B`/`8`, ...),
    /// changing at most `maxChanges` characters; the changes are listed in
    /// `repairs`. When more than one reading fits, nothing is changed and
    /// `ambiguous` is true.
    public static func repair(_ text: String, maxChanges: Int = 2) throws -> MrzDocument {
        try repairMrz(text: text, maxChanges: UInt32(clamping: maxChanges))
    }

    /// ``repair(_:maxChanges:)`` for lines recognised one by one.
    public static func repair(lines: [String], maxChanges: Int = 2) throws -> MrzDocument {
        try repair(lines.joined(separator: "\n"), maxChanges: maxChanges)
    }
}

/// The check digits the core reports in `MrzDocument.checks`.
public enum MrzCheckName: String, CaseIterable {
    case documentNumber = "document_number"
    case birthDate = "birth_date"
    case expiryDate = "expiry_date"
    case optionalData = "optional_data"
    case composite
}

extension MrzDocument {
    /// Whether the named check digit is right; nil when this format has none.
    public func check(_ name: MrzCheckName) -> Bool? {
        checks.first { $0.name == name.rawValue }?.ok
    }

    /// The checks that failed, for telling the user what to rescan.
    public var failedChecks: [MrzCheckName] {
        checks.filter { !$0.ok }.compactMap { MrzCheckName(rawValue: $0.name) }
    }

    /// Given names one by one (`ANNA MARIA` gives `["ANNA", "MARIA"]`).
    public var givenNameList: [String] {
        givenNames.split(separator: " ").map(String.init)
    }

    public var birthDateComponents: DateComponents? { birthDate.flatMap(IsoDate.components) }
    public var expiryDateComponents: DateComponents? { expiryDate.flatMap(IsoDate.components) }

    /// Whether the document has expired on `date`: it is valid through its
    /// expiry day in `timeZone` (the user's by default). Nil without an expiry date.
    public func isExpired(on date: Date = Date(), in timeZone: TimeZone = .current) -> Bool? {
        guard let expiry = expiryDate, let start = IsoDate.date(expiry, in: timeZone) else { return nil }
        var calendar = IsoDate.calendar
        calendar.timeZone = timeZone
        guard let endOfDay = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
        return date >= endOfDay
    }
}

extension MrzError {
    /// The 1-based line the error is about, when it is about one.
    public var line: Int? {
        switch self {
        case let .LineLength(line, _, _), let .IllegalCharacter(line, _): return Int(line)
        case .Empty, .LineCount: return nil
        }
    }

    /// The 1-based column of an illegal character.
    public var column: Int? {
        if case let .IllegalCharacter(_, column) = self { return Int(column) }
        return nil
    }
}

extension MrzDocument {
    /// The Norwegian identity number in the optional data, checked again
    /// under the caller's policy: the core reports synthetic test numbers in
    /// `nationalId` whatever the environment, so production code should read
    /// the number through here.
    public func nationalIdNumber(allowSynthetic: Bool = false) -> NationalIdNumber? {
        nationalId.flatMap { try? NationalIdNumber($0, allowSynthetic: allowSynthetic) }
    }
}
