package no.aktiver

import no.aktiver.ffi.Gender
import no.aktiver.ffi.NinException
import no.aktiver.ffi.NinKind
import no.aktiver.ffi.checkNin
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertInstanceOf
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertAll
import org.junit.jupiter.api.assertThrows
import java.time.LocalDate

/**
 * Numbers below were computed for these tests (K1 weights 3,7,6,1,8,9,4,5,2;
 * K2 weights 5,4,3,2,7,6,5,4,3,2), except the Skatteetaten 2032 examples.
 */
class NationalIdNumberTest {
    private fun valid(number: String, allowSynthetic: Boolean = false) =
        when (val c = NationalIdNumber.check(number, allowSynthetic)) {
            is NinCheck.Valid -> c.info
            is NinCheck.Invalid -> throw AssertionError("expected valid, got ${c.reason::class.simpleName}")
        }

    private inline fun <reified T : NinException> invalid(number: String, allowSynthetic: Boolean = false): T {
        val c = NationalIdNumber.check(number, allowSynthetic)
        assertInstanceOf(NinCheck.Invalid::class.java, c)
        return assertInstanceOf(T::class.java, (c as NinCheck.Invalid).reason)
    }

    @Test
    fun `an ordinary number`() {
        val info = valid("15057500260")
        assertAll(
            { assertEquals(NinKind.ORDINARY, info.kind) },
            { assertEquals("1975-05-15", info.birthDate) },
            { assertEquals(LocalDate.of(1975, 5, 15), info.birthLocalDate) },
            { assertEquals(Gender.FEMALE, info.gender) },
            { assertFalse(info.synthetic) },
            { assertEquals("150575*****", info.masked) },
        )
        assertEquals(Gender.MALE, valid("15057500341").gender)
    }

    @Test
    fun `a D-number has day plus 40`() {
        val info = valid("55057500092")
        assertEquals(NinKind.D_NUMBER, info.kind)
        assertEquals(LocalDate.of(1975, 5, 15), info.birthLocalDate)
    }

    @Test
    fun `an H-number has month plus 40 and an FH-number no date`() {
        val h = valid("15457500081")
        assertEquals(NinKind.H_NUMBER, h.kind)
        assertEquals(LocalDate.of(1975, 5, 15), h.birthLocalDate)
        val fh = valid("80000000098")
        assertEquals(NinKind.FH_NUMBER, fh.kind)
        assertNull(fh.birthDate)
    }

    @Test
    fun `a wrong second control digit`() {
        invalid<NinException.ControlDigit2>("15057500261")
    }

    @Test
    fun `a wrong first control digit`() {
        // K1 0 is outside even the 2032 set {4, 5, 6, 7} for this number.
        invalid<NinException.ControlDigit1>("15057500300")
    }

    @Test
    fun `a Tenor synthetic number is refused unless allowed`() {
        invalid<NinException.SyntheticNotAllowed>("15857500064")
        val info = valid("15857500064", allowSynthetic = true)
        assertTrue(info.synthetic)
        assertEquals(LocalDate.of(1975, 5, 15), info.birthLocalDate)
    }

    @Test
    fun `the 2032 rules`() {
        assertEquals(NinKind.ORDINARY, valid("02013299997").kind)
        // K1 3 is valid only under the 2032 rules (remainder 9: 12 - 9).
        valid("30108299939")
        valid("30108299920")
    }

    @Test
    fun `malformed numbers`() {
        assertEquals(10u, invalid<NinException.Length>("1505750026").found)
        assertEquals(9u, invalid<NinException.NonDigit>("15057500a60").position)
        invalid<NinException.ImpossibleDate>("31027500024")
    }

    @Test
    fun `the generated function throws the typed exception`() {
        assertThrows<NinException.ControlDigit2> { checkNin("15057500261", false) }
    }

    @Test
    fun `Result and toString keep the number out of logs`() {
        assertTrue(NationalIdNumber.checkResult("15057500260").isSuccess)
        assertInstanceOf(NinException.ControlDigit2::class.java, NationalIdNumber.checkResult("15057500261").exceptionOrNull())
        assertTrue(NationalIdNumber.isValid("15057500260"))
        assertFalse(NationalIdNumber.isValid("15057500261"))
        for (c in listOf(NationalIdNumber.check("15057500260"), NationalIdNumber.check("15057500261"))) {
            val s = c.toString()
            assertFalse("150575" in s || "1975" in s, s)
        }
    }
}
