import Foundation

/// A checked Norwegian national identity number (fødselsnummer, D-, H- or
/// FH-number).
///
/// `description` shows only the masked form, so the number does not end up
/// in logs by accident; use `digits` where the full number is really needed.
public struct NationalIdNumber: Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The 11 digits.
    public let digits: String
    /// What the core found out about the number.
    public let info: NinInfo

    /// Checks `number` (spaces are ignored, so `010190 12480` is fine).
    /// Synthetic test numbers (Tenor, month + 80) are refused unless
    /// `allowSynthetic`, which only test environments should set.
    /// - Throws: ``NinError``.
    public init(_ number: String, allowSynthetic: Bool = false) throws {
        let digits = number.filter { !$0.isWhitespace }
        info = try checkNin(number: digits, allowSynthetic: allowSynthetic)
        self.digits = digits
    }

    /// Whether `number` is a valid identity number.
    public static func isValid(_ number: String, allowSynthetic: Bool = false) -> Bool {
        (try? NationalIdNumber(number, allowSynthetic: allowSynthetic)) != nil
    }

    public var kind: NinKind { info.kind }
    public var gender: Gender? { info.gender }
    public var isSynthetic: Bool { info.synthetic }
    /// Date kept, the rest hidden (`010190*****`).
    public var masked: String { info.masked }
    public var birthDate: DateComponents? { info.birthDate.flatMap(IsoDate.components) }

    public var description: String { masked }
    public var debugDescription: String { "NationalIdNumber(\(masked))" }
}
