package no.aktiver

import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import no.aktiver.ffi.Capabilities
import no.aktiver.ffi.CapabilityException
import no.aktiver.ffi.IdDocument
import no.aktiver.ffi.Language
import no.aktiver.ffi.LogLevel
import no.aktiver.ffi.NfcLimits
import no.aktiver.ffi.NfcTransport
import no.aktiver.ffi.Permission
import no.aktiver.ffi.Permissions
import no.aktiver.ffi.Screen
import no.aktiver.ffi.SecureStorage
import no.aktiver.ffi.TestDocument
import no.aktiver.ffi.TestPerson
import no.aktiver.ffi.TestPhone
import no.aktiver.ffi.TestSandbox
import no.aktiver.ffi.startTestSandbox
import no.aktiver.ffi.testPerson
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import java.io.IOException
import java.util.Collections
import java.util.concurrent.ConcurrentHashMap

/** Secure storage in Kotlin: the core's snapshots cross the FFI both ways. */
class KotlinStorage : SecureStorage {
    val map = ConcurrentHashMap<String, ByteArray>()

    override fun get(key: String): ByteArray? = map[key]

    override fun put(key: String, value: ByteArray) {
        map[key] = value
    }

    override fun delete(key: String) {
        map.remove(key)
    }
}

/** The OS permission prompts, answered yes, in Kotlin. */
class KotlinPermissions : Permissions {
    val asked: MutableList<Permission> = Collections.synchronizedList(mutableListOf())
    private val granted = ConcurrentHashMap.newKeySet<Permission>()

    override fun granted(permission: Permission): Boolean = permission in granted

    override fun request(permission: Permission): Boolean {
        asked += permission
        granted += permission
        return true
    }
}

/**
 * The whole activation through the Kotlin facade, against the sandbox
 * server the test support starts in this process: the real core, the
 * virtual chip, generated camera frames, the simulated face check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ActivationTest {
    private lateinit var sandbox: TestSandbox
    private lateinit var person: TestPerson

    // One sandbox per test: the same person activates in every test, and a
    // session left open (or a device activated) by one must not steer the next.
    @BeforeEach
    fun startSandbox() =
        runBlocking {
            sandbox = startTestSandbox()
            person = checkNotNull(testPerson(null))
        }

    @AfterEach
    fun stopSandbox() =
        runBlocking {
            sandbox.stop()
            sandbox.close()
        }

    private fun phone(
        tamperedDataGroup: UByte? = null,
        apduDelayMs: UInt = 0u,
    ) = TestPhone(sandbox, TestDocument(person.nationalId, IdDocument.ID_CARD, tamperedDataGroup, listOf(), apduDelayMs))

    /** The test phone's capabilities with storage and permissions implemented in Kotlin. */
    private fun Capabilities.inKotlin(storage: KotlinStorage, permissions: KotlinPermissions) =
        copy(storage = storage, permissions = permissions)

    private suspend fun start(caps: Capabilities) = Activation.start(sandbox.config(Language.EN), caps)

    @Test
    fun `a whole activation through the facade`(): Unit =
        runBlocking {
            val phone = phone()
            val storage = KotlinStorage()
            val permissions = KotlinPermissions()
            start(phone.capabilities().inKotlin(storage, permissions)).use { a ->
                val seen = Collections.synchronizedList(mutableListOf<String>())
                val collector =
                    launch(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) {
                        a.view.collect { seen += it.name }
                    }
                assertEquals("welcome", a.view.value.name)
                assertTrue(a.view.value.texts.getValue("title").text.isNotBlank())
                val end = Person(sandbox, phone, person).walk(a)
                assertTrue(end is Screen.Complete, "ended at $end")
                collector.cancelAndJoin()
                for (s in listOf("welcome", "national_id", "sms_code", "mrz_scan", "chip_info", "face_info", "agreement", "complete")) {
                    assertTrue(s in seen, "$s not seen in $seen")
                }
                assertTrue(phone.apdus() > 10uL, "the chip was read")
                assertTrue(Permission.CAMERA in permissions.asked, "the camera permission was asked in Kotlin")
                assertTrue(storage.map.isNotEmpty(), "the core saved its snapshot through Kotlin storage")
            }
        }

    @Test
    fun `a tampered chip fails the activation with a stable code`(): Unit =
        runBlocking {
            val phone = phone(tamperedDataGroup = 2u)
            start(phone.capabilities()).use { a ->
                val end = Person(sandbox, phone, person).walk(a)
                assertTrue(end is Screen.Failed, "ended at $end")
                assertEquals("document_not_authentic", (end as Screen.Failed).code)
                assertThrows(AktiverException.BadState::class.java) { runBlocking { a.proceed() } }
            }
        }

    @Test
    fun `cancelling the coroutine stops the chip read in the middle`(): Unit =
        runBlocking {
            val phone = phone(apduDelayMs = 15u)
            start(phone.capabilities()).use { a ->
                val person = Person(sandbox, phone, person)
                assertEquals("chip_info", person.walk(a, "chip_info").let { a.view.value.name })
                val read = launch(Dispatchers.Default) { a.proceed() }
                withTimeout(20_000) { a.screen.first { it is Screen.ChipScan && it.progress > 0u } }
                read.cancelAndJoin()
                // The core's Back stops the read: the screen goes back to the chip info.
                withTimeout(10_000) { a.screen.first { it is Screen.ChipInfo } }
                val stoppedAt = phone.apdus()
                delay(300)
                assertEquals(stoppedAt, phone.apdus(), "APDUs after the read was cancelled")
                assertTrue(stoppedAt > 0uL)
                // The activation goes on: the read starts over and completes.
                assertTrue(person.walk(a) is Screen.Complete)
                assertNotEquals(stoppedAt, phone.apdus())
            }
        }

    @Test
    fun `a closed activation refuses calls and a new one resumes it`(): Unit =
        runBlocking {
            val phone = phone()
            val caps = phone.capabilities()
            val person = Person(sandbox, phone, person)
            val first = start(caps)
            person.walk(first, "chip_info")
            first.close()
            first.close()
            assertThrows(AktiverException.Closed::class.java) { runBlocking { first.proceed() } }
            start(caps).use { second ->
                // At the chip, or at the scan before it where the core keeps no MRZ.
                val at = second.view.value.name
                assertTrue(at in setOf("chip_info", "mrz_location", "scan_info"), "resumed at $at")
                assertTrue(person.walk(second) is Screen.Complete)
            }
        }

    @Test
    fun `a capability that throws becomes a typed failure, not a crash`(): Unit =
        runBlocking {
            val phone = phone()
            val real = phone.capabilities()
            var calls = 0
            val flaky =
                object : NfcTransport {
                    override fun limits(): NfcLimits = real.nfc.limits()

                    override fun connect() = real.nfc.connect()

                    override fun transceive(apdu: ByteArray): ByteArray {
                        calls += 1
                        if (calls == 3) throw CapabilityException.TagLost()
                        if (calls == 12) throw IOException("Transceive failed")
                        return real.nfc.transceive(apdu)
                    }
                }
            start(real.copy(nfc = flaky)).use { a ->
                val person = Person(sandbox, phone, person)
                person.walk(a, "chip_info")
                a.proceed()
                // CapabilityException.TagLost arrives as itself: the read pauses.
                assertTrue(a.screen.value is Screen.Paused, "at ${a.screen.value}")
                a.proceed()
                // An IOException is not a CapabilityException: it arrives as Failed.
                val end = a.screen.value
                assertTrue(end is Screen.Failed, "at $end")
                assertEquals("chip_read_failed", (end as Screen.Failed).code)
            }
        }

    @Test
    fun `the core's log lines reach the app without the user's input`(): Unit =
        runBlocking {
            val lines = Collections.synchronizedList(mutableListOf<String>())
            AktiverLog.install({ level, target, message -> lines += "$level $target $message" }, LogLevel.DEBUG)
            try {
                start(phone().capabilities()).use { a ->
                    a.getStarted()
                    a.submitNationalId(person.nationalId)
                }
            } finally {
                AktiverLog.install(null)
            }
            assertTrue(lines.any { it.endsWith("action submit_national_id") }, "$lines")
            assertTrue(lines.any { it.endsWith("screen phone") }, "$lines")
            assertTrue(lines.none { person.nationalId in it || person.nationalId.take(6) in it }, "$lines")
        }
}
