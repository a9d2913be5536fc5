package no.aktiver

import no.aktiver.ffi.DocumentKind
import no.aktiver.ffi.MrzDocument
import no.aktiver.ffi.MrzException
import no.aktiver.ffi.MrzFormat
import no.aktiver.ffi.MrzRepair
import no.aktiver.ffi.Sex
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertAll
import org.junit.jupiter.api.assertThrows
import java.time.LocalDate

class MrzTest {
    private fun assertAnnaMaria(doc: MrzDocument) = assertAll(
        { assertTrue(doc.valid, "failed checks: ${doc.failedChecks}") },
        { assertEquals("UTO", doc.issuingState) },
        { assertEquals("UTO", doc.nationality) },
        { assertEquals("740812", doc.birthDateRaw) },
        { assertEquals("1974-08-12", doc.birthDate) },
        { assertEquals(LocalDate.of(1974, 8, 12), doc.birthLocalDate) },
        { assertEquals("120415", doc.expiryDateRaw) },
        { assertEquals("2012-04-15", doc.expiryDate) },
        { assertEquals(LocalDate.of(2012, 4, 15), doc.expiryLocalDate) },
        { assertEquals(Sex.FEMALE, doc.sex) },
        { assertEquals("ERIKSSON", doc.surname) },
        { assertEquals("ANNA MARIA", doc.givenNames) },
        { assertTrue(doc.checks.all { it.ok }) },
        { assertEquals(emptyList<String>(), doc.failedChecks) },
        { assertEquals(emptyList<MrzRepair>(), doc.repairs) },
        { assertFalse(doc.ambiguous) },
    )

    @Test
    fun `check-digit helper matches the ICAO vectors`() {
        mapOf("520727" to '3', "AB2134<<<" to '5', "L898902C3" to '6', "ZE184226B<<<<<" to '1', "740812" to '2', "120415" to '9')
            .forEach { (field, digit) -> assertEquals(digit, Specimens.checkDigit(field), field) }
        assertEquals(Specimens.TD3_LINE2, Specimens.td3Line2("L898902C3", "UTO", "740812", 'F', "120415", "ZE184226B"))
        assertEquals(Specimens.TD1, Specimens.td1("UTO", "D23145890", "", "740812", 'F', "120415", "ERIKSSON<<ANNA<MARIA"))
    }

    @Test
    fun `toString keeps personal data out of logs`() {
        val doc = Mrz.parse(Specimens.TD3)
        val text = doc.toString()
        for (secret in listOf("ERIKSSON", "ANNA", "L898902C3", "740812", "1974")) {
            assertFalse(text.contains(secret), text)
        }
        assertTrue(text.contains("Td3"), text)
    }

    @Test
    fun `TD3 passport specimen`() {
        val doc = Mrz.parse(Specimens.TD3)
        assertAnnaMaria(doc)
        assertAll(
            { assertEquals(MrzFormat.TD3, doc.format) },
            { assertEquals(DocumentKind.PASSPORT, doc.kind) },
            { assertEquals("P", doc.documentCode.trimEnd('<')) },
            { assertEquals("L898902C3", doc.documentNumber) },
            { assertEquals("ZE184226B", doc.optionalData.trimEnd('<')) },
            { assertNull(doc.nationalId) },
            {
                assertTrue(
                    doc.checks.map { it.name }.containsAll(listOf("document_number", "birth_date", "expiry_date", "optional_data", "composite")),
                    "checks: ${doc.checks.map { it.name }}",
                )
            },
            { assertEquals(true, doc.isExpired(LocalDate.of(2026, 1, 1))) },
            { assertEquals(false, doc.isExpired(LocalDate.of(2012, 4, 15))) },
        )
        assertEquals(doc, Mrz.parse(listOf(Specimens.TD3_LINE1, Specimens.TD3_LINE2)))
    }

    @Test
    fun `TD1 identity card specimen`() {
        val doc = Mrz.parse(Specimens.TD1)
        assertAnnaMaria(doc)
        assertAll(
            { assertEquals(MrzFormat.TD1, doc.format) },
            { assertEquals(DocumentKind.ID_CARD, doc.kind) },
            { assertEquals("D23145890", doc.documentNumber) },
            { assertTrue(doc.checks.map { it.name }.containsAll(listOf("document_number", "birth_date", "expiry_date", "composite"))) },
        )
    }

    @Test
    fun `TD2 specimen`() {
        val doc = Mrz.parse(Specimens.TD2)
        assertAnnaMaria(doc)
        assertAll(
            { assertEquals(MrzFormat.TD2, doc.format) },
            { assertEquals(DocumentKind.ID_CARD, doc.kind) },
            { assertEquals("D23145890", doc.documentNumber) },
        )
    }

    @Test
    fun `TD1 specimen with a long document number`() {
        val doc = Mrz.parse(Specimens.TD1_LONG_NUMBER)
        assertAll(
            { assertTrue(doc.valid, "failed checks: ${doc.failedChecks}") },
            { assertEquals(MrzFormat.TD1, doc.format) },
            { assertEquals("D23145890734", doc.documentNumber) },
            { assertEquals("340712", doc.birthDateRaw) },
            // Born 2034 would be in the future: the previous century it is.
            { assertEquals(LocalDate.of(1934, 7, 12), doc.birthLocalDate) },
            { assertEquals("950712", doc.expiryDateRaw) },
            { assertEquals(Sex.MALE, doc.sex) },
            { assertEquals("STEVENSON", doc.surname) },
            { assertEquals("PETER JOHN", doc.givenNames) },
        )
    }

    @Test
    fun `a wrong check digit makes the document invalid and names the check`() {
        // Birth-date check digit 2 -> 3.
        val line2 = Specimens.TD3_LINE2.replaceRange(19, 20, "3")
        val doc = Mrz.parse("${Specimens.TD3_LINE1}\n$line2")
        assertAll(
            { assertFalse(doc.valid) },
            { assertTrue("birth_date" in doc.failedChecks, "failed checks: ${doc.failedChecks}") },
            { assertFalse("document_number" in doc.failedChecks) },
            { assertFalse("expiry_date" in doc.failedChecks) },
            { assertEquals("1974-08-12", doc.birthDate) },
        )
    }

    @Test
    fun `repair undoes an OCR confusion in the expiry date`() {
        val confused = "${Specimens.TD3_LINE1}\nL898902C36UTO7408122F12O4159ZE184226B<<<<<10"
        val doc = Mrz.repair(confused)
        assertAnnaMaria(doc.copy(repairs = emptyList()))
        assertEquals(listOf(MrzRepair(line = 2u, column = 24u, from = "O", to = "0")), doc.repairs)
        assertEquals("120415", doc.expiryDateRaw)
    }

    @Test
    fun `repair with no changes allowed changes nothing`() {
        val confused = "${Specimens.TD3_LINE1}\nL898902C36UTO7408122F12O4159ZE184226B<<<<<10"
        val doc = Mrz.repair(confused, maxChanges = 0)
        assertFalse(doc.valid)
        assertEquals(emptyList<MrzRepair>(), doc.repairs)
        assertThrows<IllegalArgumentException> { Mrz.repair(confused, maxChanges = -1) }
    }

    @Test
    fun `repair leaves a valid MRZ alone`() {
        val doc = Mrz.repair(Specimens.TD3)
        assertAnnaMaria(doc)
    }

    @Test
    fun `the Norwegian identity number is found in a passport's optional data`() {
        val line2 = Specimens.td3Line2("AB1234567", "NOR", "750515", 'F', "300101", "15057500260")
        val line1 = "P<NORTESTESEN<<KARI".padEnd(44, '<')
        val doc = Mrz.parse("$line1\n$line2")
        assertTrue(doc.valid, "failed checks: ${doc.failedChecks}")
        assertEquals("15057500260", doc.nationalId)
    }

    @Test
    fun `a synthetic identity number is found on a sandbox TD1 identity card`() {
        val text = Specimens.td1("NOR", "AB1234567", "15857500064", "750515", 'F', "300101", "TESTESEN<<KARI")
        val doc = Mrz.parse(text)
        assertTrue(doc.valid, "failed checks: ${doc.failedChecks}")
        assertEquals(MrzFormat.TD1, doc.format)
        assertEquals("15857500064", doc.nationalId)
    }

    @Test
    fun `no text is the Empty error`() {
        assertThrows<MrzException.Empty> { Mrz.parse("") }
        assertNull(Mrz.parseOrNull(""))
    }

    @Test
    fun `one line is a LineCount error`() {
        val e = assertThrows<MrzException.LineCount> { Mrz.parse(Specimens.TD3_LINE2) }
        assertEquals(1u, e.found)
    }

    @Test
    fun `a short line is a LineLength error naming the line`() {
        val e = assertThrows<MrzException.LineLength> { Mrz.parse("${Specimens.TD3_LINE1}\n${Specimens.TD3_LINE2.dropLast(1)}") }
        assertAll(
            { assertEquals(2u, e.line) },
            { assertEquals(44u, e.expected) },
            { assertEquals(43u, e.found) },
        )
    }

    @Test
    fun `an illegal character is reported by line and column without echoing the MRZ`() {
        val line2 = Specimens.TD3_LINE2.replaceRange(31, 32, "#")
        val e = assertThrows<MrzException.IllegalCharacter> { Mrz.parse("${Specimens.TD3_LINE1}\n$line2") }
        assertAll(
            { assertEquals(2u, e.line) },
            { assertEquals(32u, e.column) },
            { assertFalse(e.message.orEmpty().contains("ERIKSSON") || e.message.orEmpty().contains("L898902C3")) },
        )
    }
}
