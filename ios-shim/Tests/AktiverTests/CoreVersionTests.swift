import Aktiver
import XCTest

final class CoreVersionTests: XCTestCase {
    func testCoreVersionIsSemver() {
        let version = coreVersion()
        XCTAssertNotNil(version.range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression), version)
        XCTAssertEqual(AktiverCore.version, version)
    }
}
