import Aktiver
import XCTest

final class NorwegianDocumentTests: XCTestCase {
    func testPassportCarriesTheIdentityNumber() throws {
        let doc = try Mrz.parse(lines: NorwegianSpecimen.passport)
        XCTAssertTrue(doc.valid)
        XCTAssertEqual(doc.format, .td3)
        XCTAssertEqual(doc.issuingState, "NOR")
        XCTAssertEqual(doc.surname, "NORDMANN")
        XCTAssertEqual(doc.givenNames, "KARI")
        XCTAssertEqual(doc.nationalId, Nin.ordinaryFemale)
        let number = try XCTUnwrap(doc.nationalIdNumber())
        XCTAssertEqual(number.kind, .ordinary)
        XCTAssertEqual(number.info.birthDate, doc.birthDate, "the number's date matches the MRZ")
    }

    func testIdCardCarriesTheIdentityNumber() throws {
        let doc = try Mrz.parse(lines: NorwegianSpecimen.idCard)
        XCTAssertTrue(doc.valid)
        XCTAssertEqual(doc.format, .td1)
        XCTAssertEqual(doc.kind, .idCard)
        XCTAssertEqual(doc.documentNumber, "AB1234567")
        XCTAssertEqual(doc.nationalId, Nin.ordinaryFemale)
        XCTAssertEqual(doc.birthDate, "1990-01-01")
        XCTAssertEqual(doc.expiryDate, "2030-01-01")
        let newYear2026 = try XCTUnwrap(IsoDate.date("2026-01-01"))
        XCTAssertEqual(doc.isExpired(on: newYear2026), false)
    }

    func testSyntheticNumberIsOnlyHandedOutWhereAllowed() throws {
        let doc = try Mrz.parse(lines: NorwegianSpecimen.passportWithSyntheticNumber)
        XCTAssertTrue(doc.valid)
        XCTAssertNil(doc.nationalIdNumber(), "production policy refuses synthetic numbers")
        let number = try XCTUnwrap(doc.nationalIdNumber(allowSynthetic: true))
        XCTAssertTrue(number.isSynthetic)
    }
}
