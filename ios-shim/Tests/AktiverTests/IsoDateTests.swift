import Aktiver
import XCTest

/// Pure Swift: no call into the core.
final class IsoDateTests: XCTestCase {
    func testComponents() throws {
        let c = try XCTUnwrap(IsoDate.components("1974-08-12"))
        XCTAssertEqual([c.year, c.month, c.day], [1974, 8, 12])
        XCTAssertNotNil(IsoDate.components("2024-02-29"))
    }

    func testRejectsImpossibleOrMalformedDates() {
        for bad in ["2021-02-29", "1974-13-01", "1974-08-32", "1974-8-12", "740812", "", "+974-08-12",
                    "1974-08-1x", "1974-08-12T00:00:00Z", "１９７４-08-12"]
        {
            XCTAssertNil(IsoDate.components(bad), bad)
        }
    }

    func testDateIsMidnightInTheGivenZone() throws {
        let utc = try XCTUnwrap(IsoDate.date("1970-01-02"))
        XCTAssertEqual(utc.timeIntervalSince1970, 86400)
        // A fixed offset: a minimal Linux root has no tz database.
        let oslo = try XCTUnwrap(TimeZone(secondsFromGMT: 3600))
        let local = try XCTUnwrap(IsoDate.date("1970-01-02", in: oslo))
        XCTAssertEqual(local.timeIntervalSince1970, 86400 - 3600)
    }
}
