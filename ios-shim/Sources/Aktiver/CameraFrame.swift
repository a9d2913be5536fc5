import Foundation

/// One camera frame for the MRZ scan: an 8-bit luma plane (the Y plane of
/// a 4:2:0 frame), `rowStride` bytes per row, and the clockwise rotation in
/// degrees (0, 90, 180, 270) that turns it upright.
public struct CameraFrame: Sendable {
    public var luma: Data
    public var width: UInt32
    public var height: UInt32
    public var rowStride: UInt32
    public var rotationDegrees: UInt32

    public init(luma: Data, width: UInt32, height: UInt32, rowStride: UInt32, rotationDegrees: UInt32) {
        self.luma = luma
        self.width = width
        self.height = height
        self.rowStride = rowStride
        self.rotationDegrees = rotationDegrees
    }
}
