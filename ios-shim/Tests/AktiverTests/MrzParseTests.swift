import Aktiver
import XCTest

private func stripped(_ field: String) -> String {
    field.trimmingCharacters(in: CharacterSet(charactersIn: "<"))
}

final class MrzParseTests: XCTestCase {
    private func assertAllChecksOk(_ doc: MrzDocument, expecting names: [MrzCheckName],
                                   file: StaticString = #filePath, line: UInt = #line)
    {
        XCTAssertTrue(doc.valid, "valid", file: file, line: line)
        for name in names {
            XCTAssertEqual(doc.check(name), true, "check \(name.rawValue)", file: file, line: line)
        }
        XCTAssertEqual(doc.failedChecks, [], file: file, line: line)
        XCTAssertTrue(doc.checks.allSatisfy(\.ok), file: file, line: line)
        XCTAssertEqual(doc.repairs, [], file: file, line: line)
        XCTAssertFalse(doc.ambiguous, file: file, line: line)
    }

    /// The Utopian specimen person shared by the TD1, TD2 and TD3 specimens.
    private func assertAnnaMaria(_ doc: MrzDocument, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(doc.issuingState, "UTO", file: file, line: line)
        XCTAssertEqual(doc.nationality, "UTO", file: file, line: line)
        XCTAssertEqual(doc.birthDateRaw, "740812", file: file, line: line)
        XCTAssertEqual(doc.birthDate, "1974-08-12", file: file, line: line)
        XCTAssertEqual(doc.expiryDateRaw, "120415", file: file, line: line)
        XCTAssertEqual(doc.expiryDate, "2012-04-15", file: file, line: line)
        XCTAssertEqual(doc.sex, .female, file: file, line: line)
        XCTAssertEqual(doc.surname, "ERIKSSON", file: file, line: line)
        XCTAssertEqual(doc.givenNames, "ANNA MARIA", file: file, line: line)
        XCTAssertNil(doc.nationalId, "no Norwegian number in a Utopian document", file: file, line: line)
    }

    func testTd3PassportSpecimen() throws {
        let doc = try Mrz.parse(Specimen.text(Specimen.td3))
        XCTAssertEqual(doc.format, .td3)
        XCTAssertEqual(doc.kind, .passport)
        XCTAssertEqual(stripped(doc.documentCode), "P")
        XCTAssertEqual(doc.documentNumber, "L898902C3")
        XCTAssertEqual(stripped(doc.optionalData), "ZE184226B")
        assertAnnaMaria(doc)
        assertAllChecksOk(doc, expecting: [.documentNumber, .birthDate, .expiryDate, .optionalData, .composite])
    }

    func testTd1IdCardSpecimen() throws {
        let doc = try Mrz.parse(lines: Specimen.td1)
        XCTAssertEqual(doc.format, .td1)
        XCTAssertEqual(doc.kind, .idCard)
        XCTAssertEqual(stripped(doc.documentCode), "I")
        XCTAssertEqual(doc.documentNumber, "D23145890")
        assertAnnaMaria(doc)
        assertAllChecksOk(doc, expecting: [.documentNumber, .birthDate, .expiryDate, .composite])
    }

    func testTd2Specimen() throws {
        let doc = try Mrz.parse(Specimen.text(Specimen.td2))
        XCTAssertEqual(doc.format, .td2)
        XCTAssertEqual(doc.kind, .idCard)
        XCTAssertEqual(doc.documentNumber, "D23145890")
        assertAnnaMaria(doc)
        assertAllChecksOk(doc, expecting: [.documentNumber, .birthDate, .expiryDate, .composite])
    }

    func testTd1LongDocumentNumberSpecimen() throws {
        let doc = try Mrz.parse(Specimen.text(Specimen.td1LongNumber))
        XCTAssertEqual(doc.format, .td1)
        XCTAssertEqual(doc.documentNumber, "D23145890734")
        XCTAssertEqual(doc.birthDateRaw, "340712")
        XCTAssertEqual(doc.birthDate, "1934-07-12", "a birth date is never in the future")
        XCTAssertEqual(doc.expiryDateRaw, "950712")
        XCTAssertEqual(doc.expiryDate, "1995-07-12", "expiry dates lie within 50 years of today")
        XCTAssertEqual(doc.sex, .male)
        XCTAssertEqual(doc.surname, "STEVENSON")
        XCTAssertEqual(doc.givenNames, "PETER JOHN")
        XCTAssertEqual(doc.givenNameList, ["PETER", "JOHN"])
        assertAllChecksOk(doc, expecting: [.documentNumber, .birthDate, .expiryDate, .composite])
    }

    func testFacadeDatesFromTd3() throws {
        let doc = try Mrz.parse(Specimen.text(Specimen.td3))
        let birth = try XCTUnwrap(doc.birthDateComponents)
        XCTAssertEqual([birth.year, birth.month, birth.day], [1974, 8, 12])
        let expiry = try XCTUnwrap(doc.expiryDateComponents)
        XCTAssertEqual([expiry.year, expiry.month, expiry.day], [2012, 4, 15])
        let utc = try XCTUnwrap(TimeZone(secondsFromGMT: 0))
        let lastDay = try XCTUnwrap(IsoDate.date("2012-04-15", in: utc)).addingTimeInterval(23 * 3600)
        let dayAfter = try XCTUnwrap(IsoDate.date("2012-04-16", in: utc))
        XCTAssertEqual(doc.isExpired(on: lastDay, in: utc), false)
        XCTAssertEqual(doc.isExpired(on: dayAfter, in: utc), true)
        XCTAssertEqual(doc.isExpired(), true)
    }

    func testDescriptionRedactsPersonalData() throws {
        let doc = try Mrz.parse(Specimen.text(Specimen.td3))
        var dumped = ""
        dump(doc, to: &dumped)
        for shown in ["\(doc)", String(reflecting: doc), dumped] {
            XCTAssertFalse(shown.contains("ERIKSSON"), shown)
            XCTAssertFalse(shown.contains("L898902C3"), shown)
            XCTAssertFalse(shown.contains("740812"), shown)
        }
    }

    func testWrongBirthDateCheckDigitIsInvalidAndNamed() throws {
        // Line 2 column 20 is the birth date's check digit (2).
        let doc = try Mrz.parse(Specimen.replacing(Specimen.td3, line: 2, column: 20, with: "3"))
        XCTAssertFalse(doc.valid)
        XCTAssertEqual(doc.check(.birthDate), false)
        XCTAssertEqual(doc.check(.documentNumber), true)
        XCTAssertEqual(doc.check(.expiryDate), true)
        // The composite covers the birth date's check digit too.
        XCTAssertEqual(Set(doc.failedChecks), [.birthDate, .composite])
        XCTAssertEqual(doc.repairs, [], "parse never changes anything")
    }

    func testWrongCompositeCheckDigitIsInvalidAndNamed() throws {
        let doc = try Mrz.parse(Specimen.replacing(Specimen.td3, line: 2, column: 44, with: "1"))
        XCTAssertFalse(doc.valid)
        XCTAssertEqual(doc.failedChecks, [.composite])
    }

    func testWrongDocumentNumberCheckDigitInTd1() throws {
        // TD1 line 1 column 15 is the document number's check digit (7).
        let doc = try Mrz.parse(Specimen.replacing(Specimen.td1, line: 1, column: 15, with: "8"))
        XCTAssertFalse(doc.valid)
        XCTAssertEqual(doc.check(.documentNumber), false)
        XCTAssertTrue(doc.failedChecks.contains(.documentNumber))
    }
}
