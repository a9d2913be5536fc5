package no.aktiver

import no.aktiver.ffi.NinException
import no.aktiver.ffi.NinInfo
import no.aktiver.ffi.checkNin
import java.time.LocalDate

/** The outcome of checking a Norwegian national identity number. */
public sealed class NinCheck {
    /** The number is valid; [info] describes it. */
    public class Valid(public val info: NinInfo) : NinCheck() {
        // NinInfo's generated toString would print the birth date: keep it out of logs.
        override fun toString(): String = "NinCheck.Valid(kind=${info.kind}, synthetic=${info.synthetic})"
    }

    /** The number is not valid; [reason] says why without repeating the number. */
    public class Invalid(public val reason: NinException) : NinCheck() {
        override fun toString(): String = "NinCheck.Invalid(${reason::class.simpleName})"
    }

    public fun getOrNull(): NinInfo? = (this as? Valid)?.info

    public val isValid: Boolean
        get() = this is Valid
}

/**
 * Norwegian national identity numbers (fødselsnummer, D-, H- and FH-numbers,
 * the 2032 rules), checked by the Rust core.
 */
public object NationalIdNumber {
    /**
     * Check [number]. Synthetic test numbers (Tenor) are refused unless
     * [allowSynthetic] is set, which only a sandbox environment should do.
     */
    public fun check(number: String, allowSynthetic: Boolean = false): NinCheck =
        try {
            NinCheck.Valid(checkNin(number, allowSynthetic))
        } catch (e: NinException) {
            NinCheck.Invalid(e)
        }

    /** The same check as a [Result], for `runCatching`-style call sites. */
    public fun checkResult(number: String, allowSynthetic: Boolean = false): Result<NinInfo> =
        when (val c = check(number, allowSynthetic)) {
            is NinCheck.Valid -> Result.success(c.info)
            is NinCheck.Invalid -> Result.failure(c.reason)
        }

    public fun isValid(number: String, allowSynthetic: Boolean = false): Boolean =
        check(number, allowSynthetic).isValid
}

/** Birth date as a [LocalDate], `null` when the number does not encode one unambiguously. */
public val NinInfo.birthLocalDate: LocalDate?
    get() = birthDate?.toLocalDateOrNull()
