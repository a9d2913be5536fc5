import Foundation
import XCTest
@testable import Aktiver

/// The whole activation through the Swift facade, against the sandbox
/// server started in this process, with the core's desktop capabilities
/// (the `test-support` feature): the virtual chip, generated camera frames,
/// the sandbox's face check, software keys.
final class ActivationTests: XCTestCase {
    private var sandbox: TestSandbox!

    override func setUp() async throws {
        sandbox = try await startTestSandbox()
    }

    override func tearDown() async throws {
        await sandbox?.stop()
        sandbox = nil
    }

    /// A passport activation walked to the chip's information screen, for
    /// the chip-read tests; the caller closes the session.
    private func passportAtChipInfo(tampered: UInt8? = nil, apduDelayMs: UInt32 = 0) async throws
        -> (ActivationSession, TestPhone)
    {
        let (person, phone) = try phone(.passport, tampered: tampered, apduDelayMs: apduDelayMs)
        let session = try await ActivationSession.start(config: sandbox.config(language: .en),
                                                        capabilities: phone.capabilities())
        var user = TestUser(session: session, sandbox: sandbox, phone: phone, person: person, document: .passport)
        do {
            try await user.walk(to: "chip_info")
        } catch {
            session.close()
            throw error
        }
        return (session, phone)
    }

    private func phone(_ document: IdDocument, tampered: UInt8? = nil, apduDelayMs: UInt32 = 0) throws -> (TestPerson, TestPhone) {
        let person = try XCTUnwrap(testPerson(nationalId: nil))
        let phone = try TestPhone(sandbox: sandbox, document: TestDocument(
            nationalId: person.nationalId, document: document, tamperedDataGroup: tampered,
            tagLostAt: [], apduDelayMs: apduDelayMs))
        return (person, phone)
    }

    func testAFullActivationEndsComplete() async throws {
        let (person, phone) = try phone(.idCard)
        // The NFC transport and the storage implemented in Swift, as the iOS adapters are.
        let given = phone.capabilities()
        let nfc = SwiftNfc(given.nfc)
        let storage = SwiftStorage()
        let capabilities = Capabilities(nfc: nfc, face: given.face, keys: given.keys, storage: storage,
                                        permissions: given.permissions, push: given.push)
        let session = try await ActivationSession.start(config: sandbox.config(language: .en), capabilities: capabilities)
        let seen = collectNames(session.screens())
        var user = TestUser(session: session, sandbox: sandbox, phone: phone, person: person, document: .idCard)

        try await user.walk(to: "complete")

        XCTAssertEqual(try session.current().screen, .complete(replacedPreviousDevice: false))
        let names = try await screenNames(seen, within: 5)
        XCTAssertEqual(names.first, "welcome")
        XCTAssertEqual(names.last, "complete", "the stream ends after the terminal screen")
        for step in ["sms_code", "mrz_scan", "chip_info", "chip_scan", "face_scan", "activating", "agreement", "sign_agreement"] {
            XCTAssertTrue(names.contains(step), "\(step) not seen in \(names)")
        }
        XCTAssertGreaterThan(nfc.apdus, 20, "the chip was read through the Swift transport")
        XCTAssertGreaterThan(storage.writes, 0, "the flow saved its snapshot through the Swift storage")
        // A terminal screen takes no action: a typed error, not a crash.
        let late = await thrown { try await session.act(.continue) }
        XCTAssertEqual(late, .badState(screen: "complete", action: "continue"))
        session.close()
        let closed = await thrown { try session.current() }
        XCTAssertEqual(closed, .closed)
    }

    func testATamperedChipFailsBeforeTheFaceCheck() async throws {
        let (session, phone) = try await passportAtChipInfo(tampered: 2)
        defer { session.close() }
        let seen = collectNames(session.screens())

        let end = try await session.act(.continue)

        guard case let .failed(code, remedy) = end.screen else {
            return XCTFail("expected failed, got \(end.name)")
        }
        XCTAssertEqual(code, "document_not_authentic")
        XCTAssertFalse(remedy.isEmpty)
        XCTAssertTrue(end.terminal)
        let names = try await screenNames(seen, within: 5)
        XCTAssertEqual(names.first, "chip_info")
        XCTAssertTrue(names.contains("chip_scan"))
        XCTAssertFalse(names.contains("face_info"), "nothing after a failed chip check: \(names)")
        XCTAssertEqual(names.last, "failed")
    }

    /// `cancel()` while the chip is being read: the read stops at the next
    /// APDU and the activation ends cancelled.
    func testCancelInTheMiddleOfTheChipRead() async throws {
        let (session, phone) = try await passportAtChipInfo(apduDelayMs: 20)
        defer { session.close() }
        let seen = collectNames(session.screens())
        let read = Task { try await session.act(.continue) }
        try await waitForApdus(phone, atLeast: 5)

        let atCancel = phone.apdus()
        let end = try await session.cancel()

        XCTAssertEqual(end.screen, .cancelled)
        _ = await read.result
        let afterCancel = phone.apdus()
        XCTAssertLessThanOrEqual(afterCancel - atCancel, 2, "the read went on after cancel()")
        let names = try await screenNames(seen, within: 5)
        XCTAssertTrue(names.contains("chip_scan"))
        XCTAssertFalse(names.contains("face_info"), "the read finished anyway: \(names)")
        XCTAssertEqual(names.last, "cancelled")
    }

    /// Cancelling the Swift task that awaits the chip read interrupts the
    /// read (Swift's cancellation does not reach the Rust future by itself),
    /// throws `cancelled`, and leaves the flow usable: the next read runs.
    func testCancellingTheTaskInterruptsTheChipRead() async throws {
        let (session, phone) = try await passportAtChipInfo(apduDelayMs: 5)
        defer { session.close() }
        let screens = session.screens()
        let read = Task { try await session.act(.continue) }
        try await waitForApdus(phone, atLeast: 5)

        read.cancel()

        let result = await read.result
        XCTAssertThrowsError(try result.get()) { error in
            XCTAssertEqual(error as? AktiverError, .cancelled)
        }
        // The interrupted read goes back to the chip-info screen.
        let names = try await withTimeout(10, "back on chip_info") { () -> [String] in
            var names: [String] = []
            for await view in screens {
                names.append(view.name)
                if names.contains("chip_scan") && view.name == "chip_info" { break }
            }
            return names
        }
        XCTAssertEqual(names.last, "chip_info", "\(names)")
        XCTAssertFalse(names.contains("face_info"), "the read finished anyway: \(names)")
        let stopped = phone.apdus()
        // The flow goes on: a new read to the end.
        let next = try await session.act(.continue)
        XCTAssertEqual(next.name, "face_info")
        XCTAssertGreaterThan(phone.apdus(), stopped)
    }

    func testCloseFinishesTheScreenStreams() async throws {
        let (_, phone) = try phone(.passport)
        let session = try await ActivationSession.start(config: sandbox.config(language: .en),
                                                        capabilities: phone.capabilities())
        let seen = collectNames(session.screens())
        try await session.act(.getStarted)

        session.close()

        let names = try await screenNames(seen, within: 5)
        XCTAssertEqual(names, ["welcome", "national_id"])
        let closed = await thrown { try await session.act(.back) }
        XCTAssertEqual(closed, .closed)
    }

    /// A session closed in the middle (the app left the flow) resumes in a
    /// new one from the phone's secure storage: the ID check starts over at
    /// the scan (the MRZ is not kept), and the activation completes.
    func testANewSessionResumesAfterClose() async throws {
        let (person, phone) = try phone(.passport)
        let first = try await ActivationSession.start(config: sandbox.config(language: .en),
                                                      capabilities: phone.capabilities())
        var user = TestUser(session: first, sandbox: sandbox, phone: phone, person: person, document: .passport)
        try await user.walk(to: "chip_info")
        first.close()

        let second = try await ActivationSession.start(config: sandbox.config(language: .en),
                                                       capabilities: phone.capabilities())
        defer { second.close() }

        XCTAssertEqual(try second.current().name, "scan_info")
        var resumed = TestUser(session: second, sandbox: sandbox, phone: phone, person: person, document: .passport)
        try await resumed.walk(to: "complete")
        XCTAssertEqual(try second.current().screen, .complete(replacedPreviousDevice: false))
    }

    /// The core's lines reach the Swift handler, and none carries what the
    /// person typed.
    func testTheLogBridgeDeliversTheCoresLinesWithoutInput() async throws {
        let lines = LogLines()
        AktiverLog.install(level: .debug) { level, target, message in
            lines.add("\(level) \(target) \(message)")
        }
        defer { AktiverLog.uninstall() }
        let (person, phone) = try phone(.passport)
        let session = try await ActivationSession.start(config: sandbox.config(language: .en),
                                                        capabilities: phone.capabilities())
        defer { session.close() }
        var user = TestUser(session: session, sandbox: sandbox, phone: phone, person: person, document: .passport)
        try await user.walk(to: "activation_method")

        let all = lines.all
        XCTAssertTrue(all.contains { $0.contains("screen national_id") }, "\(all)")
        XCTAssertTrue(all.contains { $0.contains("action submit_national_id") }, "\(all)")
        for line in all {
            XCTAssertFalse(line.contains(person.nationalId) || line.contains(String(person.nationalId.prefix(6))),
                           "identity number in a log line")
            XCTAssertFalse(line.contains(person.phone.dropFirst(3)), "phone number in a log line")
        }
    }

    private func waitForApdus(_ phone: TestPhone, atLeast n: UInt64) async throws {
        var waited = 0
        while phone.apdus() < n && waited < 3000 {
            try await Task.sleep(nanoseconds: 10_000_000)
            waited += 1
        }
        XCTAssertGreaterThanOrEqual(phone.apdus(), n, "the chip read did not start")
    }
}
