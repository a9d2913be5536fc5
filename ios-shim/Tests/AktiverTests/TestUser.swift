import Foundation
import XCTest
@testable import Aktiver

/// The person on the happy path: what they do on each screen, through the
/// facade, with the sandbox's SMS inbox and the simulated phone's camera.
struct TestUser {
    let session: ActivationSession
    let sandbox: TestSandbox
    let phone: TestPhone
    let person: TestPerson
    let document: IdDocument
    private(set) var password: String?
    private var frame: UInt64 = 0

    init(session: ActivationSession, sandbox: TestSandbox, phone: TestPhone, person: TestPerson, document: IdDocument) {
        self.session = session
        self.sandbox = sandbox
        self.phone = phone
        self.person = person
        self.document = document
        password = person.password
    }

    /// Does what the person does on the current screen.
    mutating func step() async throws {
        let view = try session.current()
        let action: Action
        switch view.screen {
        case .welcome:
            action = .getStarted
        case .nationalId:
            // As people type it: "158590 10099".
            let nin = person.nationalId
            action = .submitNationalId(value: "\(nin.prefix(6)) \(nin.dropFirst(6))")
        case .phone:
            action = .submitPhone(value: person.phone)
        case .smsCode:
            guard let code = await sandbox.smsCode(phone: person.phone) else {
                throw TestFailure("no SMS in the sandbox inbox")
            }
            action = .submitSmsCode(code: code)
        case .activationMethod:
            action = .chooseMethod(method: .idCheck)
        case .chooseDocument:
            action = .chooseDocument(document: document)
        case .mrzScan:
            let f = phone.cameraFrame(index: frame)
            frame += 1
            try await session.submit(Aktiver.CameraFrame(luma: f.luma, width: f.width, height: f.height,
                                                         rowStride: f.rowStride, rotationDegrees: 0))
            return
        case .passwordOffer where password != nil:
            action = .notNow
        case .newPassword:
            password = "Fjell8Bekk3"
            action = .submitNewPassword(password: "Fjell8Bekk3", repeat: "Fjell8Bekk3", current: nil)
        case .biometricsTerms(_, accepted: false, _), .agreement(_, _, accepted: false, _):
            action = .setAccepted(accepted: true)
        case .signAgreement:
            action = .signAgreement(password: password ?? "")
        case .networkError:
            action = .retry
        default:
            if view.terminal || view.busy {
                throw TestFailure("the person cannot act on \(view.name)")
            }
            action = .continue
        }
        try await session.act(action)
    }

    /// Plays the person until `name` is the current screen.
    mutating func walk(to name: String) async throws {
        for _ in 0..<200 {
            let view = try session.current()
            if view.name == name { return }
            if view.terminal { throw TestFailure("expected \(name), the flow ended at \(view.name): \(view.screen)") }
            try await step()
        }
        throw TestFailure("\(name) not reached in 200 steps")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A Swift implementation of the NFC capability over the simulated phone's
/// chip: the path CoreNFC takes on a phone (a foreign trait implemented in
/// Swift, called from the core's threads), counting APDUs.
final class SwiftNfc: NfcTransport, @unchecked Sendable {
    private let inner: NfcTransport
    private let lock = NSLock()
    private var count = 0

    init(_ inner: NfcTransport) { self.inner = inner }

    var apdus: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    func limits() throws -> NfcLimits { try inner.limits() }
    func connect() throws { try inner.connect() }

    func transceive(apdu: Data) throws -> Data {
        let answer = try inner.transceive(apdu: apdu)
        lock.lock()
        count += 1
        lock.unlock()
        return answer
    }
}

/// The secure storage in Swift (a dictionary), as the keychain adapter is.
final class SwiftStorage: SecureStorage, @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String: Data] = [:]
    private(set) var writes = 0

    func get(key: String) throws -> Data? {
        lock.lock()
        defer { lock.unlock() }
        return items[key]
    }

    func put(key: String, value: Data) throws {
        lock.lock()
        defer { lock.unlock() }
        items[key] = value
        writes += 1
    }

    func delete(key: String) throws {
        lock.lock()
        defer { lock.unlock() }
        items[key] = nil
    }
}

/// Collects the names of the screens a stream gives, until it finishes.
func collectNames(_ stream: AsyncStream<ScreenView>) -> Task<[String], Never> {
    Task {
        var names: [String] = []
        for await view in stream { names.append(view.name) }
        return names
    }
}

/// The names `collectNames` gathered, failing after `seconds` (and ending
/// the collection) instead of hanging the suite when the stream never ends.
func screenNames(_ seen: Task<[String], Never>, within seconds: Double) async throws -> [String] {
    try await withTimeout(seconds, "the screen stream to end") {
        await withTaskCancellationHandler { await seen.value } onCancel: { seen.cancel() }
    }
}

/// Runs `body`, failing after `seconds` instead of hanging the suite
/// (`body` must end when cancelled).
func withTimeout<T: Sendable>(_ seconds: Double, _ what: String,
                              _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TestFailure("\(what): not done within \(seconds) s")
        }
        return value
    }
}

/// The facade's error a call threw (nil if it returned). Catching typed
/// throws in a pattern crashes Swift 6.0.3's SIL verifier: erased here.
func thrown<T>(_ body: () async throws -> T) async -> AktiverError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? AktiverError ?? .internalError(reason: "not an AktiverError: \(error)")
    }
}

/// Log lines gathered from the core's threads.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func add(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}
