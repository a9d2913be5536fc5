#if canImport(CoreNFC) && os(iOS)
@preconcurrency import CoreNFC
import Foundation
import Aktiver

/// The document's chip through CoreNFC (`NFCISO7816Tag`). The core runs the
/// whole chip protocol and calls this from one of its own threads, so the
/// calls block until CoreNFC answers; nothing here runs on the main thread.
///
/// iOS ends the NFC session when the tag is lost (and after 60 seconds): a
/// lost tag is reported to the core as `TagLost`, the core shows its paused
/// screen, and when the user taps Continue the core calls `connect()` again,
/// which polls again or begins a new session; the core then resumes the read
/// where it stopped.
///
/// The app needs the NFC entitlement (`TAG`) and in its Info.plist
/// `NFCReaderUsageDescription` and
/// `com.apple.developer.nfc.readersession.iso7816.select-identifiers` with
/// `A0000002471001` (the eMRTD application). Call ``finish(message:)``
/// when the chip-scan screen is left, so the system sheet closes.
public final class CoreNfcTransport: NSObject, NfcTransport, NFCTagReaderSessionDelegate, @unchecked Sendable {
    // All mutable state below is guarded by `lock`; CoreNFC calls the
    // delegate on `queue`, the core calls from its blocking threads.
    private let lock = NSLock()
    private let queue = DispatchQueue(label: "no.aktiver.nfc")
    private var session: NFCTagReaderSession?
    private var tag: NFCISO7816Tag?
    private var waiting: DispatchSemaphore?
    private var connectError: CapabilityError?
    private let alert: String

    /// - Parameter alert: the text the system NFC sheet shows while polling.
    public init(alert: String) {
        self.alert = alert
    }

    /// Short APDUs only: CoreNFC gives no way to learn whether a chip takes
    /// extended lengths, and every eMRTD reads with short ones.
    public func limits() -> NfcLimits {
        NfcLimits(maxTransceive: 261, extendedLength: false)
    }

    public func connect() throws {
        guard NFCTagReaderSession.readingAvailable else {
            throw CapabilityError.Unavailable(reason: "NFC reading is not available on this device")
        }
        let done = DispatchSemaphore(value: 0)
        lock.lock()
        tag = nil
        connectError = nil
        waiting = done
        if let session, session.isReady {
            lock.unlock()
            session.restartPolling()
        } else {
            let new = NFCTagReaderSession(pollingOption: .iso14443, delegate: self, queue: queue)
            session = new
            lock.unlock()
            new?.alertMessage = alert
            new?.begin()
            if new == nil {
                throw CapabilityError.Unavailable(reason: "no NFC reader session")
            }
        }
        // Until a tag is connected, the user cancels the sheet, or iOS ends
        // the session (its own 60-second limit).
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        if let error = connectError { throw error }
        if tag == nil { throw CapabilityError.TagLost }
    }

    public func transceive(apdu: Data) throws -> Data {
        lock.lock()
        let tag = self.tag
        lock.unlock()
        guard let tag else { throw CapabilityError.TagLost }
        guard let command = NFCISO7816APDU(data: apdu) else {
            throw CapabilityError.Failed(reason: "malformed command APDU")
        }
        let answer = BlockingResult<Data>()
        tag.sendCommand(apdu: command) { data, sw1, sw2, error in
            if let error {
                answer.finish(.failure(Self.capabilityError(error)))
            } else {
                var response = data
                response.append(contentsOf: [sw1, sw2])
                answer.finish(.success(response))
            }
        }
        let result = answer.wait()
        if case .failure(.TagLost) = result {
            lock.lock()
            self.tag = nil
            lock.unlock()
        }
        return try result.get()
    }

    /// Updates the text of the system sheet (the read's progress, say).
    public func setAlert(_ message: String) {
        lock.lock()
        let session = self.session
        lock.unlock()
        session?.alertMessage = message
    }

    /// Ends the NFC session and closes the system sheet: `message` nil for
    /// success, else shown as the error.
    public func finish(reason: String? = nil) {
        lock.lock()
        let session = self.session
        self.session = nil
        tag = nil
        lock.unlock()
        if let message {
            session?.invalidate(errorMessage: message)
        } else {
            session?.invalidate()
        }
    }

    // MARK: NFCTagReaderSessionDelegate (on `queue`)

    public func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    public func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        guard let first = tags.first, case let .iso7816(chip) = first else {
            // A tag that is not ISO 7816 (a transit card, say): keep looking.
            session.restartPolling()
            return
        }
        session.connect(to: first) { [weak self] error in
            guard let self else { return }
            if error != nil {
                // Moved away while connecting: poll again, the sheet stays.
                session.restartPolling()
                return
            }
            self.lock.lock()
            self.tag = chip
            let waiting = self.waiting
            self.waiting = nil
            self.lock.unlock()
            waiting?.signal()
        }
    }

    public func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        lock.lock()
        if self.session === session { self.session = nil }
        tag = nil
        switch (error as? NFCReaderError)?.code {
        case .some(.readerSessionInvalidationErrorUserCanceled):
            connectError = .Declined
        case .some(.readerSessionInvalidationErrorSystemIsBusy):
            connectError = .Unavailable(reason: "NFC is busy")
        default:
            // Ended by iOS (its time limit, the tag gone, `finish`): like a
            // lost tag, Continue begins a new session and the read resumes.
            connectError = .TagLost
        }
        let waiting = self.waiting
        self.waiting = nil
        lock.unlock()
        waiting?.signal()
    }

    private static func capabilityError(_ error: Error) -> CapabilityError {
        guard let nfc = error as? NFCReaderError else {
            return .Failed(reason: "NFC transceive failed")
        }
        switch nfc.code {
        case .readerTransceiveErrorTagConnectionLost, .readerTransceiveErrorTagNotConnected,
             .readerSessionInvalidationErrorSessionTerminatedUnexpectedly,
             .readerSessionInvalidationErrorSessionTimeout, .readerTransceiveErrorSessionInvalidated,
             .readerTransceiveErrorRetryExceeded:
            return .TagLost
        default:
            return .Failed(reason: "NFC transceive failed (\(nfc.code.rawValue))")
        }
    }
}
#endif
