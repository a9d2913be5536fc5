import Aktiver
import XCTest

final class MrzErrorTests: XCTestCase {
    private func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> MrzError? {
        do {
            _ = try Mrz.parse(text)
            XCTFail("expected an MrzError", file: file, line: line)
        } catch let error as MrzError {
            return error
        } catch {
            XCTFail("expected an MrzError, got \(error)", file: file, line: line)
        }
        return nil
    }

    func testEmptyText() {
        XCTAssertEqual(parseError(""), .Empty)
    }

    func testOneLineIsTooFew() {
        XCTAssertEqual(parseError(Specimen.td3[1]), .LineCount(found: 1))
    }

    func testShortSecondLineNamesLineAndLengths() {
        let error = parseError(Specimen.text([Specimen.td3[0], String(Specimen.td3[1].dropLast())]))
        XCTAssertEqual(error, .LineLength(line: 2, expected: 44, found: 43))
        XCTAssertEqual(error?.line, 2)
        XCTAssertNil(error?.column)
    }

    func testIllegalCharacterNamesLineAndColumn() {
        let error = parseError(Specimen.replacing(Specimen.td3, line: 2, column: 14, with: "#"))
        XCTAssertEqual(error, .IllegalCharacter(line: 2, column: 14))
        XCTAssertEqual(error?.line, 2)
        XCTAssertEqual(error?.column, 14)
    }

    func testRepairThrowsTheSameTypedErrors() {
        XCTAssertThrowsError(try Mrz.repair(Specimen.replacing(Specimen.td1, line: 3, column: 3, with: "%"))) {
            XCTAssertEqual($0 as? MrzError, .IllegalCharacter(line: 3, column: 3))
        }
    }

    func testErrorDescriptionsCarryNoMrzContent() {
        let error = parseError(Specimen.replacing(Specimen.td3, line: 2, column: 14, with: "#"))
        let text = error?.localizedDescription ?? ""
        XCTAssertFalse(text.contains("L898902C3"), text)
        XCTAssertFalse(text.contains("ERIKSSON"), text)
    }
}
