// ICAO 9303 specimen MRZs (Part 4 Appendix A, Part 5 Appendix A, Part 6
// Appendix A, Part 5 note j for the long document number). All data is
// fictitious ("Utopia").
enum Specimen {
    static let td3 = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ]
    static let td1 = [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ]
    static let td2 = [
        "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
        "D231458907UTO7408122F1204159<<<<<<<6",
    ]
    static let td1LongNumber = [
        "I<UTOD23145890<7349<<<<<<<<<<<",
        "3407127M9507122UTO<<<<<<<<<<<2",
        "STEVENSON<<PETER<JOHN<<<<<<<<<",
    ]

    static func text(_ lines: [String]) -> String { lines.joined(separator: "\n") }

    /// `lines` with the 1-based `column` of the 1-based `line` replaced.
    static func replacing(_ lines: [String], line: Int, column: Int, with character: Character) -> String {
        var copy = lines
        var chars = Array(copy[line - 1])
        chars[column - 1] = character
        copy[line - 1] = String(chars)
        return text(copy)
    }
}

/// Norwegian identity numbers computed for these tests with the published
/// control-digit rules; none belongs to a real person as far as the tests care.
enum Nin {
    /// 1 Jan 1990, individual number 124 (9th digit even: female).
    static let ordinaryFemale = "01019012480"
    /// 1 Jan 1990, individual number 125 (9th digit odd: male).
    static let ordinaryMale = "01019012561"
    /// D-number: day + 40.
    static let dNumber = "41019012393"
    /// H-number: month + 40.
    static let hNumber = "01419012382"
    /// Tenor synthetic test number: month + 80.
    static let tenorSynthetic = "01819012365"
    /// 31 February: right control digits, impossible date.
    static let impossibleDate = "31029012302"
    /// `ordinaryFemale` with K2 wrong.
    static let wrongK2 = "01019012481"
    /// `ordinaryFemale` with K1 = 5, which neither the old nor the 2032 rule allows.
    static let wrongK1 = "01019012450"
    /// Skatteetaten's examples for the 2032 rules.
    static let from2032 = ["02013299997", "30108299920", "30108299939"]
}

/// Norwegian documents made for these tests (fictitious holder, valid check
/// digits). Norway's position for the identity number is not published; the
/// core searches every optional field, so one layout per format is enough.
enum NorwegianSpecimen {
    /// Passport with the identity number in the personal-number field.
    static let passport = [
        "P<NORNORDMANN<<KARI<<<<<<<<<<<<<<<<<<<<<<<<<",
        "AB12345671NOR9001011F300101901019012480<<<04",
    ]
    /// ID card with the identity number in line 1's optional data.
    static let idCard = [
        "IDNORAB1234567101019012480<<<<",
        "9001011F3001019NOR<<<<<<<<<<<4",
        "NORDMANN<<KARI<<<<<<<<<<<<<<<<",
    ]
    /// Passport carrying a Tenor synthetic number.
    static let passportWithSyntheticNumber = [
        "P<NORNORDMANN<<KARI<<<<<<<<<<<<<<<<<<<<<<<<<",
        "AB12345671NOR9001011F300101901819012365<<<80",
    ]
}
