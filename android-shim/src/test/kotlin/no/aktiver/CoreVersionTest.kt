package no.aktiver

import no.aktiver.ffi.coreVersion
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class CoreVersionTest {
    @Test
    fun `the native library loads and reports a semantic version`() {
        val version = coreVersion()
        assertTrue(Regex("""\d+\.\d+\.\d+.*""").matches(version), "unexpected version '$version'")
        assertEquals(version, Aktiver.coreVersion)
    }
}
