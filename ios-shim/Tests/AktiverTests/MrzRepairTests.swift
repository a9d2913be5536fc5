import Aktiver
import XCTest

final class MrzRepairTests: XCTestCase {
    /// Letter O for digit 0 in the expiry date (line 2 column 24), a classic OCR confusion.
    let ocrConfused = Specimen.text([
        Specimen.td3[0],
        "L898902C36UTO7408122F12O4159ZE184226B<<<<<10",
    ])

    func testParseReportsTheConfusionWithoutChangingIt() throws {
        let doc = try Mrz.parse(ocrConfused)
        XCTAssertFalse(doc.valid)
        XCTAssertEqual(doc.repairs, [])
    }

    func testRepairFixesTheLetterO() throws {
        let doc = try Mrz.repair(ocrConfused, maxChanges: 2)
        XCTAssertTrue(doc.valid)
        XCTAssertFalse(doc.ambiguous)
        XCTAssertEqual(doc.repairs, [MrzRepair(line: 2, column: 24, from: "O", to: "0")])
        XCTAssertEqual(doc.expiryDateRaw, "120415")
        XCTAssertEqual(doc.expiryDate, "2012-04-15")
        XCTAssertEqual(doc.documentNumber, "L898902C3")
        XCTAssertEqual(doc.failedChecks, [])
    }

    func testRepairThroughTheGeneratedBindingDirectly() throws {
        let doc = try repairMrz(text: ocrConfused, maxChanges: 1)
        XCTAssertTrue(doc.valid)
        XCTAssertEqual(doc.repairs.count, 1)
    }

    func testRepairWithNoChangesAllowedLeavesTheTextAlone() throws {
        let doc = try Mrz.repair(ocrConfused, maxChanges: 0)
        XCTAssertFalse(doc.valid)
        XCTAssertEqual(doc.repairs, [])
    }

    func testRepairOfACleanMrzChangesNothing() throws {
        let doc = try Mrz.repair(lines: Specimen.td3)
        XCTAssertTrue(doc.valid)
        XCTAssertEqual(doc.repairs, [])
        XCTAssertFalse(doc.ambiguous)
    }
}
