package no.aktiver

import no.aktiver.ffi.MrzDocument
import no.aktiver.ffi.MrzException
import no.aktiver.ffi.parseMrz
import no.aktiver.ffi.repairMrz
import java.time.LocalDate
import java.time.format.DateTimeParseException

/**
 * Machine-readable zone parsing (ICAO 9303 TD1, TD2, TD3) backed by the Rust core.
 *
 * Every function throws [MrzException] for text that is not an MRZ at all;
 * a readable MRZ with wrong check digits is returned with `valid == false`.
 */
public object Mrz {
    /** Repair changes at most this many characters unless told otherwise. */
    public const val DEFAULT_MAX_CHANGES: Int = 2

    /** Parse MRZ lines separated by `\n`, changing nothing. */
    @Throws(MrzException::class)
    public fun parse(text: String): MrzDocument = parseMrz(text)

    /** Parse the MRZ given line by line. */
    @Throws(MrzException::class)
    public fun parse(lines: List<String>): MrzDocument = parse(lines.joinToString("\n"))

    /**
     * Parse and undo typical OCR confusions (`O`/`0`, `I`/`1` ...) guided by
     * the check digits; what was changed is listed in [MrzDocument.repairs].
     */
    @Throws(MrzException::class)
    public fun repair(text: String, maxChanges: Int = DEFAULT_MAX_CHANGES): MrzDocument {
        require(maxChanges >= 0) { "maxChanges must not be negative" }
        return repairMrz(text, maxChanges.toUInt())
    }

    /** [parse] without exceptions: `null` when the text is not an MRZ. */
    public fun parseOrNull(text: String): MrzDocument? =
        try {
            parse(text)
        } catch (_: MrzException) {
            null
        }
}

/** Birth date as a [LocalDate], `null` when the printed date is incomplete. */
public val MrzDocument.birthLocalDate: LocalDate?
    get() = birthDate?.toLocalDateOrNull()

/** Expiry date as a [LocalDate], `null` when the printed date is incomplete. */
public val MrzDocument.expiryLocalDate: LocalDate?
    get() = expiryDate?.toLocalDateOrNull()

/** Names of the check digits that failed (`document_number`, `composite` ...). */
public val MrzDocument.failedChecks: List<String>
    get() = checks.filterNot { it.ok }.map { it.name }

/**
 * Whether the document has expired on [today]; `null` when the expiry date is
 * unknown. A document is valid through its expiry date.
 */
public fun MrzDocument.isExpired(today: LocalDate = LocalDate.now()): Boolean? =
    expiryLocalDate?.let { today.isAfter(it) }

internal fun String.toLocalDateOrNull(): LocalDate? =
    try {
        LocalDate.parse(this)
    } catch (_: DateTimeParseException) {
        null
    }
