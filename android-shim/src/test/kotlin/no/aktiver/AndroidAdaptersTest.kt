package no.aktiver

import no.aktiver.android.IsoDepTransport
import no.aktiver.android.packLuma
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.ByteBuffer

/** The Android adapters' platform-free logic, on the JVM. */
class AndroidAdaptersTest {
    @Test
    fun `a padded Y plane keeps its row stride and may end short`() {
        // 3x2 pixels, rows padded to 4 bytes, the last row not padded (as camera HALs do).
        val plane = byteArrayOf(1, 2, 3, 0, 4, 5, 6)
        val f = packLuma(ByteBuffer.wrap(plane), 3, 2, 4, 1)
        assertEquals(4, f.rowStride)
        assertEquals(8, f.luma.size)
        assertArrayEquals(byteArrayOf(1, 2, 3, 0, 4, 5, 6, 0), f.luma)
    }

    @Test
    fun `a Y plane with a pixel stride is packed`() {
        val plane = byteArrayOf(1, 9, 2, 9, 3, 9, 4, 9, 5, 9, 6)
        val f = packLuma(ByteBuffer.wrap(plane), 3, 2, 6, 2)
        assertEquals(3, f.rowStride)
        assertArrayEquals(byteArrayOf(1, 2, 3, 4, 5, 6), f.luma)
    }

    @Test
    fun `extended length only where the controller carries it`() {
        assertTrue(IsoDepTransport.limitsOf(65_279, true).extendedLength)
        assertFalse(IsoDepTransport.limitsOf(65_279, false).extendedLength)
        // A controller that claims extended length with a short buffer cannot use it.
        assertFalse(IsoDepTransport.limitsOf(253, true).extendedLength)
        assertEquals(253u, IsoDepTransport.limitsOf(253, true).maxTransceive)
    }
}
