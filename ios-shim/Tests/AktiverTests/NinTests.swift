import Aktiver
import XCTest

final class NinTests: XCTestCase {
    private func ninError(_ number: String, allowSynthetic: Bool = false,
                          file: StaticString = #filePath, line: UInt = #line) -> NinError?
    {
        do {
            _ = try checkNin(number: number, allowSynthetic: allowSynthetic)
            XCTFail("expected a NinError", file: file, line: line)
        } catch let error as NinError {
            return error
        } catch {
            XCTFail("expected a NinError, got \(error)", file: file, line: line)
        }
        return nil
    }

    func testOrdinaryNumber() throws {
        let info = try checkNin(number: Nin.ordinaryFemale, allowSynthetic: false)
        XCTAssertEqual(info.kind, .ordinary)
        XCTAssertEqual(info.birthDate, "1990-01-01")
        XCTAssertEqual(info.gender, .female)
        XCTAssertFalse(info.synthetic)
        XCTAssertEqual(info.masked, "010190*****")
    }

    func testOrdinaryMaleNumberThroughTheFacade() throws {
        let number = try NationalIdNumber(Nin.ordinaryMale)
        XCTAssertEqual(number.kind, .ordinary)
        XCTAssertEqual(number.gender, .male)
        let birth = try XCTUnwrap(number.birthDate)
        XCTAssertEqual([birth.year, birth.month, birth.day], [1990, 1, 1])
        XCTAssertEqual(number.digits, Nin.ordinaryMale)
    }

    func testDNumber() throws {
        let info = try checkNin(number: Nin.dNumber, allowSynthetic: false)
        XCTAssertEqual(info.kind, .dNumber)
        XCTAssertEqual(info.birthDate, "1990-01-01")
        XCTAssertFalse(info.synthetic)
    }

    func testHNumber() throws {
        let info = try checkNin(number: Nin.hNumber, allowSynthetic: false)
        XCTAssertEqual(info.kind, .hNumber)
    }

    func testWrongSecondControlDigit() {
        XCTAssertEqual(ninError(Nin.wrongK2), .ControlDigit2)
    }

    func testWrongFirstControlDigit() {
        XCTAssertEqual(ninError(Nin.wrongK1), .ControlDigit1)
    }

    func testTenorSyntheticNumberOnlyWhereAllowed() throws {
        XCTAssertEqual(ninError(Nin.tenorSynthetic, allowSynthetic: false), .SyntheticNotAllowed)
        let info = try checkNin(number: Nin.tenorSynthetic, allowSynthetic: true)
        XCTAssertTrue(info.synthetic)
        XCTAssertEqual(info.birthDate, "1990-01-01")
        XCTAssertFalse(NationalIdNumber.isValid(Nin.tenorSynthetic))
        XCTAssertTrue(NationalIdNumber.isValid(Nin.tenorSynthetic, allowSynthetic: true))
    }

    func testNumbersUnderThe2032Rules() throws {
        for number in Nin.from2032 {
            XCTAssertNoThrow(try checkNin(number: number, allowSynthetic: false), number)
        }
        let info = try checkNin(number: "02013299997", allowSynthetic: false)
        XCTAssertEqual(info.kind, .ordinary)
        XCTAssertFalse(info.synthetic)
        // Valid only under the 2032 rule (K1 remainder 1): such numbers no
        // longer encode century or gender.
        let newRuleOnly = try checkNin(number: "30108299939", allowSynthetic: false)
        XCTAssertNil(newRuleOnly.birthDate)
        XCTAssertNil(newRuleOnly.gender)
    }

    func testMalformedNumbers() {
        XCTAssertEqual(ninError(""), .Length(found: 0))
        XCTAssertEqual(ninError("0101901248"), .Length(found: 10))
        XCTAssertEqual(ninError("010190124800"), .Length(found: 12))
        XCTAssertEqual(ninError("0101901248x"), .NonDigit(position: 11))
        XCTAssertEqual(ninError(Nin.impossibleDate), .ImpossibleDate)
    }

    func testFacadeIgnoresSpacesAndPrintsOnlyTheMaskedForm() throws {
        let number = try NationalIdNumber("010190 12480")
        XCTAssertEqual(number.digits, Nin.ordinaryFemale)
        XCTAssertEqual("\(number)", "010190*****")
        XCTAssertFalse(String(reflecting: number).contains("12480"))
        XCTAssertFalse("\(number.info)".contains("12480"))
        XCTAssertThrowsError(try NationalIdNumber(Nin.wrongK2)) {
            XCTAssertEqual($0 as? NinError, .ControlDigit2)
        }
    }
}
