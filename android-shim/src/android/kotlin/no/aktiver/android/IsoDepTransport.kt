package no.aktiver.android

import android.nfc.NfcAdapter
import android.nfc.Tag
import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import no.aktiver.ffi.CapabilityException
import no.aktiver.ffi.NfcLimits
import no.aktiver.ffi.NfcTransport
import java.io.IOException
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * The document's chip over Android's IsoDep. Register it as the reader
 * callback (`NfcAdapter.enableReaderMode(activity, transport, FLAG_READER_NFC_A
 * or FLAG_READER_NFC_B or FLAG_READER_SKIP_NDEF_CHECK, null)`) while the chip
 * screens show; the core calls [connect] when it needs the tag (first read,
 * and after a lost tag once the user pressed Continue).
 *
 * [timeoutMs] is set explicitly on every connection: Android's default
 * (often ~600 ms) is too short for PACE and active authentication on slow
 * chips.
 */
public class IsoDepTransport(
    private val timeoutMs: Int = 5_000,
    private val waitForTagMs: Long = 60_000,
) : NfcTransport,
    NfcAdapter.ReaderCallback {
    private val tags = LinkedBlockingQueue<Tag>(1)

    @Volatile private var isoDep: IsoDep? = null

    override fun onTagDiscovered(tag: Tag) {
        tags.clear()
        tags.offer(tag)
    }

    override fun limits(): NfcLimits {
        val d = isoDep ?: return NfcLimits(MIN_TRANSCEIVE.toUInt(), false)
        return limitsOf(d.maxTransceiveLength, d.isExtendedLengthApduSupported)
    }

    override fun connect() {
        isoDep?.let { runCatching { it.close() } }
        isoDep = null
        val tag =
            tags.poll(waitForTagMs, TimeUnit.MILLISECONDS)
                ?: throw CapabilityException.Unavailable("no tag in the field")
        val d = IsoDep.get(tag) ?: throw CapabilityException.Unavailable("the tag is not ISO 14443-4")
        try {
            d.connect()
            d.timeout = timeoutMs
        } catch (e: TagLostException) {
            throw CapabilityException.TagLost()
        } catch (e: IOException) {
            throw CapabilityException.Failed("connect: ${e.javaClass.simpleName}")
        }
        isoDep = d
    }

    override fun transceive(apdu: ByteArray): ByteArray {
        val d = isoDep ?: throw CapabilityException.TagLost()
        return try {
            d.transceive(apdu)
        } catch (e: TagLostException) {
            throw CapabilityException.TagLost()
        } catch (e: IOException) {
            // Android reports a tag that left mid-exchange as a plain IOException too.
            if (!d.isConnected) throw CapabilityException.TagLost()
            throw CapabilityException.Failed("transceive: ${e.javaClass.simpleName}")
        } catch (e: SecurityException) {
            // The Tag object is stale (a new tag was discovered).
            throw CapabilityException.TagLost()
        }
    }

    public companion object {
        /** Short APDUs with a 256-byte answer: what every ISO 14443-4 reader carries. */
        public const val MIN_TRANSCEIVE: Int = 261

        /**
         * What the core may send: extended length only where the controller
         * says so and its buffer holds more than a short APDU.
         */
        public fun limitsOf(maxTransceiveLength: Int, extendedLengthSupported: Boolean): NfcLimits {
            val max = maxOf(maxTransceiveLength, 0)
            return NfcLimits(max.toUInt(), extendedLengthSupported && max > MIN_TRANSCEIVE)
        }
    }
}
