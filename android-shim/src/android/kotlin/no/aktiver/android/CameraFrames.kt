package no.aktiver.android

import android.graphics.ImageFormat
import android.media.Image
import no.aktiver.Activation
import java.nio.ByteBuffer

/** An 8-bit luma plane ready for `Activation.submitFrame`. */
public class LumaFrame(
    public val luma: ByteArray,
    public val width: Int,
    public val height: Int,
    public val rowStride: Int,
)

/**
 * The Y plane of a `YUV_420_888` camera image (CameraX `ImageProxy.image`,
 * Camera2 `ImageReader`), copied with its row stride: rows may be padded,
 * and the last row may be shorter than the stride.
 */
public fun Image.lumaFrame(): LumaFrame {
    require(format == ImageFormat.YUV_420_888) { "expected YUV_420_888, got format $format" }
    val y = planes[0]
    return packLuma(y.buffer, width, height, y.rowStride, y.pixelStride)
}

/**
 * Copies a luma plane out of [buffer]. With `pixelStride == 1` the rows are
 * kept at [rowStride] (no per-pixel copy); otherwise the pixels are packed.
 */
public fun packLuma(buffer: ByteBuffer, width: Int, height: Int, rowStride: Int, pixelStride: Int): LumaFrame {
    require(width > 0 && height > 0 && pixelStride >= 1 && rowStride >= width * pixelStride - (pixelStride - 1)) {
        "plane geometry"
    }
    val src = buffer.duplicate()
    src.rewind()
    if (pixelStride == 1) {
        val out = ByteArray(rowStride * height)
        // The last row may end at width, not at rowStride.
        val available = minOf(src.remaining(), out.size)
        require(available >= rowStride * (height - 1) + width) { "the plane is shorter than its geometry" }
        src.get(out, 0, available)
        return LumaFrame(out, width, height, rowStride)
    }
    val out = ByteArray(width * height)
    for (row in 0 until height) {
        val base = row * rowStride
        for (col in 0 until width) {
            out[row * width + col] = src.get(base + col * pixelStride)
        }
    }
    return LumaFrame(out, width, height, width)
}

/**
 * Sends a camera image to the MRZ scan. [rotationDegrees] is what CameraX
 * reports (`imageInfo.rotationDegrees`): the clockwise rotation that makes
 * the image upright.
 */
public suspend fun Activation.submitImage(image: Image, rotationDegrees: Int): String {
    val f = image.lumaFrame()
    return submitFrame(f.luma, f.width, f.height, f.rowStride, rotationDegrees)
}
