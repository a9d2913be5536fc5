#if canImport(AVFoundation) && os(iOS)
@preconcurrency import AVFoundation
import Foundation
import Aktiver

/// The back camera's frames for the MRZ scan: the luma (Y) plane of each
/// video frame, with its row stride and the rotation that turns it upright
/// for a phone held in portrait. Frames arrive in ``frames`` while the
/// previous one is still being read are dropped (only the newest is kept),
/// so the scanner never falls behind the camera.
///
/// ```swift
/// let camera = try CameraFrameSource()
/// camera.start()
/// for await frame in camera.frames {
///     guard case .mrzScan = activation.screen else { break }
///     _ = try await activation.submit(frame)
/// }
/// camera.stop()
/// ```
/// The app needs `NSCameraUsageDescription`; show ``session`` in an
/// `AVCaptureVideoPreviewLayer`.
public final class CameraFrameSource: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate, @unchecked Sendable {
    public let session = AVCaptureSession()
    public let frames: AsyncStream<CameraFrame>
    private let continuation: AsyncStream<CameraFrame>.Continuation
    private let queue = DispatchQueue(label: "no.aktiver.camera")

    public enum SetupError: Error, Sendable {
        case noCamera
        case cannotAddInput
        case cannotAddOutput
    }

    public init(preset: AVCaptureSession.Preset = .hd1280x720) throws {
        (frames, continuation) = AsyncStream.makeStream(of: CameraFrame.self, bufferingPolicy: .bufferingNewest(1))
        super.init()
        guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back) else {
            throw SetupError.noCamera
        }
        let input = try AVCaptureDeviceInput(device: device)
        let output = AVCaptureVideoDataOutput()
        // Bi-planar 4:2:0: plane 0 is the full-resolution luma the scanner reads.
        output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarFullRange]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: queue)
        session.beginConfiguration()
        session.sessionPreset = preset
        guard session.canAddInput(input) else { throw SetupError.cannotAddInput }
        session.addInput(input)
        guard session.canAddOutput(output) else { throw SetupError.cannotAddOutput }
        session.addOutput(output)
        session.commitConfiguration()
        // Close-up text: continuous autofocus, biased to near.
        if (try? device.lockForConfiguration()) != nil {
            if device.isFocusModeSupported(.continuousAutoFocus) { device.focusMode = .continuousAutoFocus }
            if device.isAutoFocusRangeRestrictionSupported { device.autoFocusRangeRestriction = .near }
            device.unlockForConfiguration()
        }
    }

    /// Starts the camera (off the main thread: `startRunning` blocks).
    public func start() {
        queue.async { [session] in session.startRunning() }
    }

    public func stop() {
        queue.async { [session] in session.stopRunning() }
    }

    /// Ends ``frames``.
    public func finish() {
        stop()
        continuation.finish()
    }

    public func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        guard let pixels = CMSampleBufferGetImageBuffer(sampleBuffer),
              CVPixelBufferGetPlaneCount(pixels) >= 1 else { return }
        CVPixelBufferLockBaseAddress(pixels, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixels, .readOnly) }
        guard let base = CVPixelBufferGetBaseAddressOfPlane(pixels, 0) else { return }
        let width = CVPixelBufferGetWidthOfPlane(pixels, 0)
        let height = CVPixelBufferGetHeightOfPlane(pixels, 0)
        let stride = CVPixelBufferGetBytesPerRowOfPlane(pixels, 0)
        let luma = Data(bytes: base, count: stride * height)
        // The sensor is landscape (home button right); held in portrait the
        // image is turned 90 degrees clockwise to stand upright.
        continuation.yield(CameraFrame(luma: luma, width: UInt32(width), height: UInt32(height),
                                       rowStride: UInt32(stride), rotationDegrees: 90))
    }
}
#endif
